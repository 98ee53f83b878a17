"""Scripted injections: the scenario run that injected (``run_id``, null for an instructor's own), and no event for
one its owner could not take (a scenario's injection is recorded as skipped rather than refused, so
``event_id`` may be null); ``created_by`` is the instructor who started the run, null for a run the seed command
started (no person).

Revision ID: gateway_0007
Revises: gateway_0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "gateway_0007"
down_revision = "gateway_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("injections") as batch:
        batch.add_column(sa.Column("run_id", sa.String(32), nullable=True))
        batch.alter_column("event_id", existing_type=sa.String(36), nullable=True)
        batch.alter_column("created_by", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE injections SET event_id = '' WHERE event_id IS NULL")
    op.execute("DELETE FROM injections WHERE created_by IS NULL")  # a seeded run's: no person to name
    with op.batch_alter_table("injections") as batch:
        batch.alter_column("created_by", existing_type=sa.String(64), nullable=False)
        batch.alter_column("event_id", existing_type=sa.String(36), nullable=False)
        batch.drop_column("run_id")
