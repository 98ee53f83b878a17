"""The public API's tables: class members (instructors and students, teams), sign-ins that can be revoked, buyer keys
and the customers they act as; the time convention (``created_at`` of wall time becomes ``created_wall_at``, data
kept); users may have to change their password at first sign-in.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "gateway_0002"
down_revision = "gateway_0001"
branch_labels = None
depends_on = None

RENAMED = ("classrooms", "users", "shop_registry")


def upgrade() -> None:
    for table in RENAMED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("created_at", new_column_name="created_wall_at")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("student_no", sa.String(40), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("must_change_password", server_default=None)
    with op.batch_alter_table("shop_registry") as batch:
        batch.add_column(sa.Column("team", sa.String(80), nullable=True))

    op.create_table(
        "class_members",
        sa.Column("class_id", sa.String(64), sa.ForeignKey("classrooms.id"), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(80), nullable=True),
        sa.Column("joined_wall_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_class_members_user_id", "class_members", ["user_id"])
    # every user who came with a class is its member, in the role they have
    op.execute(
        "INSERT INTO class_members (class_id, user_id, role, team, joined_wall_at) "
        "SELECT class_id, id, role, NULL, created_wall_at FROM users "
        "WHERE class_id IS NOT NULL AND role IN ('instructor', 'student')"
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=True),
        sa.Column("created_wall_at", UtcDateTime(), nullable=False),
        sa.Column("expires_wall_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_wall_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])
    op.create_table(
        "buyer_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=True),
        sa.Column("created_wall_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_wall_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_buyer_keys_shop_id", "buyer_keys", ["shop_id"])
    op.create_table(
        "buyer_customers",
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shop_registry.id"), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("created_wall_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("buyer_customers", "buyer_keys", "auth_tokens", "class_members"):
        op.drop_table(table)
    with op.batch_alter_table("shop_registry") as batch:
        batch.drop_column("team")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
        batch.drop_column("student_no")
    for table in RENAMED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("created_wall_at", new_column_name="created_at")
