"""Every time column names its clock, every amount is in cents.

- ``orders.created_at`` (the wall clock) becomes ``created_wall_at``; ``pay_by`` and ``ship_by`` (shop time)
  become ``pay_due_at`` and ``ship_due_at``, so that ``*_at`` is shop time and ``*_wall_at`` wall time everywhere.
- The rules of ``shipping_templates`` held their fees as decimal strings (``"fee": "10.00"``); they hold integer
  cents now (``"fee_cents": 1000``, ``"per_kg_cents"``).

Renames keep their data; the templates' rules are rewritten row by row.

Revision ID: orders_0002
Revises: orders_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "orders_0002"
down_revision = "orders_0001"
branch_labels = None
depends_on = None

RENAMES = (("created_at", "created_wall_at"), ("pay_by", "pay_due_at"), ("ship_by", "ship_due_at"))
MONEY_KEYS = (("fee", "fee_cents"), ("per_kg", "per_kg_cents"))

templates = sa.table(
    "shipping_templates", sa.column("shop_id", sa.String), sa.column("code", sa.String), sa.column("rules", sa.JSON)
)


def _cents(amount: Any) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _decimal(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def _rewrite_rules(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    connection = op.get_bind()
    for shop_id, code, rules in connection.execute(sa.select(templates.c.shop_id, templates.c.code, templates.c.rules)):
        connection.execute(
            templates.update()
            .where(templates.c.shop_id == shop_id, templates.c.code == code)
            .values(rules=[change(rule) for rule in rules])
        )


def _rule_in_cents(rule: dict[str, Any]) -> dict[str, Any]:
    rule = dict(rule)
    for old, new in MONEY_KEYS:
        if old in rule:
            rule[new] = _cents(rule.pop(old))
    return rule


def _rule_in_decimals(rule: dict[str, Any]) -> dict[str, Any]:
    rule = dict(rule)
    for old, new in MONEY_KEYS:
        if new in rule:
            rule[old] = _decimal(rule.pop(new))
    return rule


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_shop_state_pay_by")
        for old, new in RENAMES:
            batch_op.alter_column(old, new_column_name=new)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_shop_state_pay_due_at", ["shop_id", "state", "pay_due_at"], unique=False)
    _rewrite_rules(_rule_in_cents)


def downgrade() -> None:
    _rewrite_rules(_rule_in_decimals)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_shop_state_pay_due_at")
        for old, new in RENAMES:
            batch_op.alter_column(new, new_column_name=old)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_shop_state_pay_by", ["shop_id", "state", "pay_by"], unique=False)
