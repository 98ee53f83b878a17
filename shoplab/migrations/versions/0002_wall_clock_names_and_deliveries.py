"""Bus bookkeeping columns named for their clock (``*_wall_at``), data kept; per-subscriber delivery state.

Revision ID: bus_0002
Revises: bus_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "bus_0002"
down_revision = "bus_0001"
branch_labels = None
depends_on = None

RENAMES = {
    "outbox": {"created_at": "created_wall_at", "sent_at": "sent_wall_at"},
    "inbox": {"occurred_at": "occurred_wall_at", "handled_at": "handled_wall_at"},
    "dead_letters": {"created_at": "created_wall_at", "replayed_at": "replayed_wall_at"},
    "shops": {"opened_at": "opened_wall_at"},
}


def _rename(renames: dict[str, dict[str, str]]) -> None:
    # On SQLite the batch copies each table into its new shape, rows included; PostgreSQL renames in place.
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    for table, columns in renames.items():
        with op.batch_alter_table(table) as batch:
            for old, new in columns.items():
                batch.alter_column(old, new_column_name=new)
    created, sent = renames["outbox"].values()
    op.create_index("ix_outbox_unsent", "outbox", [sent, created])


def upgrade() -> None:
    _rename(RENAMES)
    op.create_table(
        "outbox_deliveries",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("subscriber", sa.String(40), primary_key=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_sent_wall_at", UtcDateTime(), nullable=False),
        sa.Column("resend_wall_at", UtcDateTime(), nullable=False),
        sa.Column("confirmed_wall_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_deliveries_unconfirmed", "outbox_deliveries", ["confirmed_wall_at", "resend_wall_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_unconfirmed", table_name="outbox_deliveries")
    op.drop_table("outbox_deliveries")
    _rename({table: {new: old for old, new in columns.items()} for table, columns in RENAMES.items()})
