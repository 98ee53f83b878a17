"""The orders migrations move the data, on SQLite and PostgreSQL: a database written by the first schema reads the
same after the upgrade (times under the names of their clocks, template fees in cents), and back after a downgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from services.orders.service import SPEC
from shoplab.migrations.runner import alembic_config
from shoplab.plumbing.database import make_engine

PLACED = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
WRITTEN = datetime(2026, 11, 28, 9, 30, 15, tzinfo=UTC)  # the wall clock, weeks after the shop's calendar
RULE = {"countries": ["CN"], "carrier": "SF", "fee": "10.00", "per_kg": "6.50", "days_min": 1, "days_max": 2}


def _order_row(**times: datetime | None) -> dict:
    return {
        "id": "o1", "shop_id": "s1", "order_no": "261110000000000001", "customer_id": "c1", "buyer_name": "王小明",
        "buyer_country": "CN", "buyer_timezone": "Asia/Shanghai", "buyer_language": "zh", "address": {"country": "CN"},
        "state": "paid", "currency": "CNY", "items_cents": 5900, "shipping_fee_cents": 0, "total_cents": 5900,
        "paid_cents": 5900, "refunded_cents": 0, "shipping_carrier": "ZTO", "delivery_days_min": 2,
        "delivery_days_max": 4, "placed_at": PLACED, "reminder_count": 0, **times,
    }  # fmt: skip


@pytest.mark.fresh_databases
def test_times_and_template_fees_move_to_their_new_columns(stack):
    engine = make_engine(stack.database_url("orders"))
    config = alembic_config(engine, [SPEC.migrations])
    try:
        command.upgrade(config, "orders_0001")
        metadata = sa.MetaData()
        metadata.reflect(engine, only=["orders", "shipping_templates"])
        orders, templates = metadata.tables["orders"], metadata.tables["shipping_templates"]
        pay_by, ship_by = PLACED + timedelta(hours=24), PLACED + timedelta(days=2)
        with engine.begin() as conn:
            conn.execute(orders.insert(), [_order_row(pay_by=pay_by, ship_by=ship_by, created_at=WRITTEN)])
            conn.execute(templates.insert(), [{"shop_id": "s1", "code": "std", "name": "Standard", "name_zh": "标准",
                                               "rules": [RULE]}])  # fmt: skip

        command.upgrade(config, "heads")
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT pay_due_at, ship_due_at, created_wall_at FROM orders")).one()
            rules = conn.execute(sa.select(sa.column("rules", sa.JSON)).select_from(sa.table("shipping_templates")))
            (moved,) = rules.scalar_one()
        assert [_utc(value) for value in row] == [pay_by, ship_by, WRITTEN]
        assert moved == {**{k: v for k, v in RULE.items() if k not in ("fee", "per_kg")}, "fee_cents": 1000,
                         "per_kg_cents": 650}  # fmt: skip

        command.downgrade(config, "orders_0001")
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT pay_by, ship_by, created_at FROM orders")).one()
            rules = conn.execute(sa.select(sa.column("rules", sa.JSON)).select_from(sa.table("shipping_templates")))
            (back,) = rules.scalar_one()
        assert [_utc(value) for value in row] == [pay_by, ship_by, WRITTEN]
        assert back == RULE
    finally:
        engine.dispose()


def _utc(value: datetime | str) -> datetime:
    """A timestamp as a raw SQL read returns it: naive UTC text on SQLite, aware on PostgreSQL."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
