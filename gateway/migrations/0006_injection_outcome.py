"""An injection's outcome: why its owner found nothing to act on after all (``injection.skipped``), null when it was
sent on.

Revision ID: gateway_0006
Revises: gateway_0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "gateway_0006"
down_revision = "gateway_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("injections") as batch:
        batch.add_column(sa.Column("skipped_reason", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("injections") as batch:
        batch.drop_column("skipped_reason")
