"""Gateway tables: classrooms, users, the shop registry and shop members.

Revision ID: gateway_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "gateway_0001"
down_revision = None
branch_labels = ("gateway",)
depends_on = "bus_0001"


def upgrade() -> None:
    op.create_table(
        "classrooms",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("class_id", sa.String(64), sa.ForeignKey("classrooms.id"), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_users_class_id", "users", ["class_id"])
    op.create_table(
        "shop_registry",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("class_id", sa.String(64), sa.ForeignKey("classrooms.id"), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("wall_anchor", UtcDateTime(), nullable=False),
        sa.Column("sim_anchor", UtcDateTime(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("clock_version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_shop_registry_class_id", "shop_registry", ["class_id"])
    op.create_table(
        "shop_members",
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
    )
    op.create_index("ix_shop_members_user_id", "shop_members", ["user_id"])


def downgrade() -> None:
    for table in ("shop_members", "shop_registry", "users", "classrooms"):
        op.drop_table(table)
