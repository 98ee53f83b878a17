"""A service's real worker whose handlers also write one row per effect, so a test can count effects exactly.

The real handlers of ShopLab's shop copy are idempotent by nature (an upsert), so a second execution would leave no
trace; this worker wraps each of the service's own handlers so every execution that commits leaves one row in
``probe_effects``, written in the handler's transaction. Everything else is the service's: ``build_worker``, its
migrations, the consumer, the inbox. Run it as ``celery -A tests.integration.bus.probe_worker worker -Q <service>``
with ``SHOPLAB_PROBE_SERVICE=<service>``.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.plumbing.worker import build_worker
from shoplab.topology import SERVICES

metadata = MetaData()
effects = Table(
    "probe_effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def create_effects_table(engine: Engine) -> None:
    metadata.create_all(engine)


def count_effects(engine: Engine, event_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(effects)
    if event_id is not None:
        stmt = stmt.where(effects.c.event_id == event_id)
    with engine.connect() as conn:
        return conn.scalar(stmt)


def effects_by_event(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(effects.c.event_id, func.count()).group_by(effects.c.event_id)).all()
    return {event_id: count for event_id, count in rows}


def counted(handler: Handler) -> Handler:
    def handle(session: Session, event: Event) -> None:
        handler(session, event)
        session.execute(insert(effects).values(event_id=event.id, pid=os.getpid(), at=datetime.now(UTC)))

    return handle


def probe_spec(service: str):
    real = importlib.import_module(f"{SERVICES[service].worker_module.rsplit('.', 1)[0]}.service").SPEC
    return dataclasses.replace(real, handlers={kind: counted(handler) for kind, handler in real.handlers.items()})


SERVICE = os.environ.get("SHOPLAB_PROBE_SERVICE", "crm")
app, runtime = build_worker(probe_spec(SERVICE))
