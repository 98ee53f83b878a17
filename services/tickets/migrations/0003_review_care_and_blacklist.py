"""What the reviews and crm services' events need: a task's expiry (care greetings), the blacklist warning of an
order, and the facts of neutral/negative reviews (any order of arrival).

Revision ID: tickets_0003
Revises: tickets_0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "tickets_0003"
down_revision = "tickets_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
    op.create_index("ix_tickets_expiry", "tickets", ["shop_id", "expires_at"])
    with op.batch_alter_table("order_facts") as batch:
        batch.add_column(sa.Column("blacklist_warning", sa.Text(), nullable=True))
    op.create_table(
        "review_facts",
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("review_id", sa.String(length=64), nullable=False),
        sa.Column("settled_reason", sa.String(length=40), nullable=True),
        sa.Column("revision_note", sa.Text(), nullable=True),
        sa.Column("updated_wall_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "review_id"),
    )


def downgrade() -> None:
    op.drop_table("review_facts")
    with op.batch_alter_table("order_facts") as batch:
        batch.drop_column("blacklist_warning")
    op.drop_index("ix_tickets_expiry", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("expires_at")
