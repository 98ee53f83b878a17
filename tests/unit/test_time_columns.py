"""Every time column of every service says which clock it holds (docs/architecture.md, "Time and money"):
``*_at`` (or a bare ``at``) is the shop's simulated clock (the business calendar), ``*_wall_at`` the wall clock
(people's time: reply times, audit stamps, bus bookkeeping). The clock anchors are the only columns named otherwise.
Every one is stored timezone-aware in UTC (``UtcDateTime``), so no naive time reaches a rule."""

from __future__ import annotations

import pytest
from sqlalchemy import Date, DateTime, MetaData

from shoplab.dbtypes import UtcDateTime
from shoplab.eventbus.tables import BusBase
from shoplab.plumbing.runtime import load_spec
from shoplab.topology import SERVICES

ANCHORS = {"wall_anchor", "sim_anchor"}  # a clock's pair of moments: one of each clock, named by it


def _time_columns(metadata: MetaData) -> list[tuple[str, object]]:
    return [
        (f"{table.name}.{column.name}", column.type)
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, (UtcDateTime, DateTime, Date))
    ]


@pytest.mark.parametrize("metadata", [pytest.param(load_spec(name).metadata, id=name) for name in SERVICES]
                         + [pytest.param(BusBase.metadata, id="bus and shop copies")])  # fmt: skip
def test_every_time_column_names_its_clock_and_is_stored_in_utc(metadata: MetaData):
    columns = _time_columns(metadata)
    assert columns, "a service without a time column is not one of ours"
    unnamed = [name for name, _ in columns if not (name.endswith(("_at", ".at")) or name.split(".")[1] in ANCHORS)]
    assert not unnamed, f"these columns do not say their clock: {unnamed}"
    naive = [name for name, kind in columns if not isinstance(kind, UtcDateTime)]
    assert not naive, f"these columns are not UtcDateTime: {naive}"


def test_the_bus_keeps_wall_time_only():
    # the bus's bookkeeping (sent, confirmed, handled) is about processes, not about any shop's calendar
    shop_time = [name for name, _ in _time_columns(BusBase.metadata) if not name.endswith("wall_at")]
    assert {name.split(".")[1] for name in shop_time} <= ANCHORS, shop_time
