"""System events as data beside their English text: a message's ``event_code`` and ``event_params``, and the params
of what the queue keeps to write again later (an order's blacklist warning, a review's revision note), so the
workbench shows every system line in the page's language. Rows written before keep null and show their text.

Revision ID: tickets_0004
Revises: tickets_0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tickets_0004"
down_revision = "tickets_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("event_code", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("event_params", sa.Text(), nullable=True))
    with op.batch_alter_table("order_facts") as batch:
        batch.add_column(sa.Column("blacklist_params", sa.Text(), nullable=True))
    with op.batch_alter_table("review_facts") as batch:
        batch.add_column(sa.Column("revision_params", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_facts") as batch:
        batch.drop_column("revision_params")
    with op.batch_alter_table("order_facts") as batch:
        batch.drop_column("blacklist_params")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("event_params")
        batch.drop_column("event_code")
