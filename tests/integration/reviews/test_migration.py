"""The reviews migration on both databases: it builds the models' schema (``tests/integration/test_migrations.py``
checks that for every service), and it goes down to nothing and up again, leaving the bus tables alone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from services.reviews.models import Base
from shoplab.migrations.runner import alembic_config
from shoplab.plumbing.database import upgrade_schema
from tests.integration.reviews.conftest import deliver_order, open_shop, post_review


def test_reviews_migration_goes_down_and_up_again(stack):
    runtime = stack.runtime("reviews")
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1")
    assert post_review(stack, shop_id, "o1").status_code == 201
    runtime.db.relay.flush(5)  # the web app's relay thread has marked its rows: no other writer meanwhile
    engine = runtime.db.engine
    ours = set(Base.metadata.tables)
    assert ours <= set(inspect(engine).get_table_names())

    command.downgrade(alembic_config(engine, [runtime.spec.migrations]), "reviews@base")
    left = set(inspect(engine).get_table_names())
    assert not ours & left
    assert {"shops", "inbox", "outbox", "dead_letters"} <= left  # the bus branch stays

    upgrade_schema(runtime.db, [runtime.spec.migrations])
    assert ours <= set(inspect(engine).get_table_names())
    assert stack.client("reviews").get(f"/shops/{shop_id}/reviews").get_json() == []  # empty, and working
