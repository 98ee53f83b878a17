"""Every time column of the orders service names its clock (HELPERS.md): ``*_at`` is the shop's simulated clock,
``*_wall_at`` the wall clock."""

from services.orders.models import Base
from shoplab.dbtypes import UtcDateTime

WALL_CLOCK = {"orders.created_wall_at"}


def test_every_time_column_names_its_clock():
    columns = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, UtcDateTime)
    ]
    assert columns and all(name.endswith("_at") for name in columns), [n for n in columns if not n.endswith("_at")]
    assert {name for name in columns if name.endswith("_wall_at")} == WALL_CLOCK
