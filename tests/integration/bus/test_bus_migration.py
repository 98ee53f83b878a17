"""The bus tables' wall-clock columns were renamed ``*_wall_at`` (bus_0002): the rows written before keep their
values, on SQLite (tables copied by Alembic's batch mode) and on PostgreSQL (renamed in place), both ways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text

from shoplab.migrations.runner import alembic_config
from shoplab.plumbing.database import make_engine

T1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)

OLD_ROWS = {
    "outbox": "INSERT INTO outbox (id, type, shop_id, message, created_at, sent_at, attempts) "
    "VALUES ('e1', 'shop.opened', 's1', '{}', :t1, :t2, 1)",
    "inbox": "INSERT INTO inbox (event_id, type, occurred_at, handled_at) VALUES ('e1', 'shop.opened', :t1, :t2)",
    "dead_letters": "INSERT INTO dead_letters (event_id, type, message, reason, error, attempts, created_at, "
    "replayed_at) VALUES ('e2', 'shop.opened', '{}', 'failed', 'boom', 3, :t1, :t2)",
    "shops": "INSERT INTO shops (id, name, platform, currency, wall_anchor, sim_anchor, speed, paused, clock_version, "
    "opened_at) VALUES ('s1', 'Shop', 'ebay', 'USD', :t1, :t1, 1.0, false, 1, :t2)",
}
NEW_COLUMNS = {
    "outbox": ("created_wall_at", "sent_wall_at"),
    "inbox": ("occurred_wall_at", "handled_wall_at"),
    "dead_letters": ("created_wall_at", "replayed_wall_at"),
    "shops": ("wall_anchor", "opened_wall_at"),
}


def as_utc(value) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def values(engine, table: str, columns: tuple[str, str]) -> tuple[datetime, datetime]:
    with engine.connect() as conn:
        first, second = conn.execute(text(f"SELECT {columns[0]}, {columns[1]} FROM {table}")).one()
    return as_utc(first), as_utc(second)


@pytest.mark.fresh_databases
def test_the_renamed_columns_keep_their_rows_both_ways(stack):
    engine = make_engine(stack.database_url("reviews"))  # not migrated yet: the app was never built
    cfg = alembic_config(engine, [])
    command.upgrade(cfg, "bus_0001")
    stamp = (lambda t: t.replace(tzinfo=None)) if stack.backend == "sqlite" else (lambda t: t)
    with engine.begin() as conn:
        for insert in OLD_ROWS.values():
            conn.execute(text(insert), {"t1": stamp(T1), "t2": stamp(T2)})

    command.upgrade(cfg, "bus@head")
    for table, columns in NEW_COLUMNS.items():
        assert values(engine, table, columns) == (T1, T2), table
    names = {column["name"] for column in inspect(engine).get_columns("outbox")}
    assert {"created_wall_at", "sent_wall_at"} <= names and not {"created_at", "sent_at"} & names
    assert "outbox_deliveries" in inspect(engine).get_table_names()

    command.downgrade(cfg, "bus_0001")
    assert values(engine, "outbox", ("created_at", "sent_at")) == (T1, T2)
    assert values(engine, "shops", ("wall_anchor", "opened_at")) == (T1, T2)
    engine.dispose()
