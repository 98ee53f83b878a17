"""Instructors' injections: who injected what, into which shop (or class), when, and the event that carries it.

Revision ID: gateway_0005
Revises: gateway_0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "gateway_0005"
down_revision = "gateway_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "injections",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), nullable=False),
        sa.Column("class_id", sa.String(64), sa.ForeignKey("classrooms.id"), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_by", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_wall_at", UtcDateTime(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_injections_shop", "injections", ["shop_id", "created_wall_at"])
    op.create_index("ix_injections_class", "injections", ["class_id", "created_wall_at"])


def downgrade() -> None:
    op.drop_index("ix_injections_class", "injections")
    op.drop_index("ix_injections_shop", "injections")
    op.drop_table("injections")
