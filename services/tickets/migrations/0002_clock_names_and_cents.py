"""Every time column names its clock, every amount is integer minor units.

``*_at`` is shop time and ``*_wall_at`` wall time (HELPERS.md): the wall-clock columns gain ``_wall`` (a ticket's
``opened_at`` becomes ``opened_wall_at`` and its ``opened_sim_at`` becomes ``opened_at``), the SLA due times gain
``_at``, a dispute's ``respond_by`` becomes ``respond_by_at``. The values do not change: only the names say which
clock they were always on. Amounts (``Numeric(12, 2)``) move to ``*_cents`` BIGINT columns, multiplied by 100
exactly (two decimal places at most, so rounding the product only removes a float's noise on SQLite).

SQLite alters tables by copying them (batch mode); the indexes over renamed columns are dropped first and built
again afterwards under the same names.

Revision ID: tickets_0002
Revises: tickets_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tickets_0002"
down_revision = "tickets_0001"
branch_labels = None
depends_on = None

# table -> [(old name, new name)], in an order that never reuses a name still taken (opened_at goes first)
RENAMES: dict[str, list[tuple[str, str]]] = {
    "agents": [
        ("last_assigned_at", "last_assigned_wall_at"),
        ("status_changed_at", "status_changed_wall_at"),
        ("joined_at", "joined_wall_at"),
    ],
    "queue_settings": [("updated_at", "updated_wall_at")],
    "tickets": [
        ("opened_at", "opened_wall_at"),
        ("opened_sim_at", "opened_at"),
        ("updated_at", "updated_wall_at"),
        ("first_replied_at", "first_replied_wall_at"),
        ("resolved_at", "resolved_wall_at"),
        ("closed_at", "closed_wall_at"),
        ("first_response_due", "first_response_due_at"),
        ("next_response_due", "next_response_due_at"),
        ("resolution_due", "resolution_due_at"),
        ("rated_at", "rated_wall_at"),
        ("converted_at", "converted_wall_at"),
    ],
    "messages": [("created_at", "created_wall_at")],
    "reply_rounds": [("started_at", "started_wall_at"), ("replied_at", "replied_wall_at")],
    "sla_breaches": [("ticket_opened_at", "ticket_opened_wall_at")],
    "order_facts": [
        ("placed_at", "placed_wall_at"),
        ("paid_at", "paid_wall_at"),
        ("cancelled_at", "cancelled_wall_at"),
        ("reminder_sent_at", "reminder_sent_wall_at"),
        ("updated_at", "updated_wall_at"),
    ],
    "phrases": [("created_at", "created_wall_at")],
    "phrase_usage": [("last_used_at", "last_used_wall_at")],
    "disputes": [("respond_by", "respond_by_at")],
}
NOT_NULL_TIMES = {"joined_at", "updated_at", "opened_at", "opened_sim_at", "created_at", "started_at",
                  "ticket_opened_at", "last_used_at", "respond_by"}  # fmt: skip

# table -> [(amount column, its cents column, nullable)]
AMOUNTS: dict[str, list[tuple[str, str, bool]]] = {
    "tickets": [("converted_amount", "converted_amount_cents", True)],
    "order_facts": [("total", "total_cents", True), ("paid_amount", "paid_amount_cents", True)],
    "disputes": [
        ("amount_requested", "amount_requested_cents", False),
        ("proposal_amount", "proposal_amount_cents", True),
        ("refund_amount", "refund_amount_cents", True),
    ],
}

# the indexes over renamed columns: table -> {name: (columns before, columns after)}
INDEXES: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "tickets": {
        "ix_tickets_queue": (
            ["shop_id", "assignee_id", "status", "updated_at"],
            ["shop_id", "assignee_id", "status", "updated_wall_at"],
        ),
        "ix_tickets_status": (["shop_id", "status", "updated_at"], ["shop_id", "status", "updated_wall_at"]),
        "ix_tickets_opened": (
            ["shop_id", "opened_at", "kind", "grp", "customer_id", "served_by", "converted_at", "converted_amount"],
            [
                "shop_id",
                "opened_wall_at",
                "kind",
                "grp",
                "customer_id",
                "served_by",
                "converted_wall_at",
                "converted_amount_cents",
            ],
        ),  # fmt: skip
        "ix_tickets_resolved": (
            ["shop_id", "resolved_at", "resolution_seconds", "resolved_by", "grp"],
            ["shop_id", "resolved_wall_at", "resolution_seconds", "resolved_by", "grp"],
        ),
        "ix_tickets_rated": (
            ["shop_id", "rated_at", "csat_score", "resolved_by", "served_by", "grp"],
            ["shop_id", "rated_wall_at", "csat_score", "resolved_by", "served_by", "grp"],
        ),
        "ix_tickets_customer": (
            ["shop_id", "customer_id", "opened_at"],
            ["shop_id", "customer_id", "opened_wall_at"],
        ),
    },
    "reply_rounds": {
        "ix_rounds_period": (
            ["shop_id", "started_at", "is_first", "reply_seconds", "grp", "agent_id"],
            ["shop_id", "started_wall_at", "is_first", "reply_seconds", "grp", "agent_id"],
        ),
        "ix_rounds_agent": (["shop_id", "agent_id", "started_at"], ["shop_id", "agent_id", "started_wall_at"]),
    },
    "sla_breaches": {
        "ix_breaches_period": (
            ["shop_id", "ticket_opened_at", "target", "ticket_id", "agent_id", "grp"],
            ["shop_id", "ticket_opened_wall_at", "target", "ticket_id", "agent_id", "grp"],
        ),
    },
}


def _rename(table: str, renames: list[tuple[str, str]], amounts: list[tuple[str, str, bool]], *, up: bool) -> None:
    """One copy of the table on SQLite: the renames, then the old amount columns dropped."""
    with op.batch_alter_table(table) as batch:
        for old, new in renames:
            name, to = (old, new) if up else (new, old)
            batch.alter_column(name, new_column_name=to, existing_type=sa.DateTime(timezone=True),
                               existing_nullable=old not in NOT_NULL_TIMES)  # fmt: skip
        for amount, cents, nullable in amounts:
            if up:
                batch.drop_column(amount)
                if not nullable:
                    batch.alter_column(cents, existing_type=sa.BigInteger(), nullable=False)
            else:
                batch.drop_column(cents)
                if not nullable:
                    batch.alter_column(amount, existing_type=sa.Numeric(12, 2), nullable=False)


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    for table, amounts in AMOUNTS.items():
        for amount, cents, _ in amounts:
            op.add_column(table, sa.Column(cents, sa.BigInteger(), nullable=True))
            op.execute(f"UPDATE {table} SET {cents} = CAST(ROUND({amount} * 100) AS BIGINT) WHERE {amount} IS NOT NULL")
    for table, renames in RENAMES.items():
        _rename(table, renames, AMOUNTS.get(table, []), up=True)
    for table, indexes in INDEXES.items():
        for name, (_, after) in indexes.items():
            op.create_index(name, table, after)


def downgrade() -> None:
    for table, indexes in INDEXES.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    for table, amounts in AMOUNTS.items():
        for amount, cents, _ in amounts:
            op.add_column(table, sa.Column(amount, sa.Numeric(12, 2), nullable=True))
            op.execute(f"UPDATE {table} SET {amount} = {cents} / 100.0 WHERE {cents} IS NOT NULL")
    for table, renames in RENAMES.items():
        _rename(table, list(reversed(renames)), AMOUNTS.get(table, []), up=False)
    for table, indexes in INDEXES.items():
        for name, (before, _) in indexes.items():
            op.create_index(name, table, before)
