"""What the web pages need: a person's language (``zh_CN`` or ``en``, remembered across browsers; null until they
choose), and every clock a shop has had (its history starts with the clock it has now for the shops already open).

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "gateway_0003"
down_revision = "gateway_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(10), nullable=True))
    op.create_table(
        "shop_clock_changes",
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("wall_anchor", UtcDateTime(), nullable=False),
        sa.Column("sim_anchor", UtcDateTime(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
    )
    op.execute(
        "INSERT INTO shop_clock_changes (shop_id, version, wall_anchor, sim_anchor, speed, paused) "
        "SELECT id, clock_version, wall_anchor, sim_anchor, speed, paused FROM shop_registry"
    )


def downgrade() -> None:
    op.drop_table("shop_clock_changes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
