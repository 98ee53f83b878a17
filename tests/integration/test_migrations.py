"""Every service's migrations build exactly the schema its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from shoplab.eventbus.tables import BusBase
from shoplab.topology import SERVICES


@pytest.mark.parametrize("service", list(SERVICES))
def test_migrations_match_models(stack, service):
    runtime = stack.runtime(service)  # the app factory migrated the database at start
    metadata = MetaData()
    for source in (BusBase.metadata, runtime.spec.metadata):
        if source is not None:
            for table in source.tables.values():
                table.to_metadata(metadata)
    with runtime.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata) if not _is_alembic_bookkeeping(d)]
    assert differences == [], f"{service}: migrations and models differ: {differences}"


def _is_alembic_bookkeeping(diff) -> bool:
    return diff[0] == "remove_table" and diff[1].name == "alembic_version"
