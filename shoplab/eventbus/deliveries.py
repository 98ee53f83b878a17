"""The producer's book of record of delivery: one row per (event, subscriber), done only when the subscriber confirms.

The broker is not trusted to keep what it was given: a message can vanish between Redis and a worker (kombu takes
a message with BRPOP and only then notes it as unacknowledged; a process killed in between loses it). So a sent
event stays open for each subscriber until that subscriber says it has recorded the event in its inbox; the sweep
sends it again to that subscriber alone once ``RESEND_AFTER`` has passed without a word.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Integer, bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.types import String

from shoplab.dbtypes import UtcDateTime
from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import Delivery, OutboxMessage

# Longer than a delivery takes when things are well (milliseconds; 17 s at most for a message a killed worker held,
# which kombu itself puts back after its visibility timeout), shorter than a minute.
RESEND_AFTER = timedelta(seconds=float(os.environ.get("SHOPLAB_RESEND_AFTER", "20")))
CHUNK = 500  # ids per statement: well inside every database's limit on bound parameters

_DELIVERIES = Delivery.__table__
_OUTBOX = OutboxMessage.__table__


def record_sent(conn: Connection, sent: Iterable[tuple[str, str]], now: datetime) -> None:
    """Open a delivery for every subscriber of each sent (event id, type); one already open is left as it is."""
    rows = [
        {"event_id": event_id, "subscriber": subscriber, "attempts": 1, "last_sent_wall_at": now,
         "resend_wall_at": now + RESEND_AFTER, "confirmed_wall_at": None}
        for event_id, event_type in sent
        for subscriber in subscribers_of(event_type)
    ]  # fmt: skip
    if rows:
        conn.execute(_open_statement(conn.dialect.name), rows)


def record_confirmed(conn: Connection, confirmed: dict[str, list[str]], now: datetime) -> None:
    """Close the deliveries the subscribers confirmed. A confirmation may overtake the row that records the send
    (the relay marks a little after it sends): then the row is written here, closed, for every event of ours."""
    dialect = conn.dialect.name
    for subscriber, event_ids in confirmed.items():
        for ids in _chunks(sorted(set(event_ids))):
            conn.execute(_confirm_statement(dialect), {"subscriber": subscriber, "ids": ids, "now": now})


def overdue(conn: Connection, now: datetime, limit: int) -> list[tuple[str, str, str, datetime]]:
    """(event id, subscriber, message, last sent) of the deliveries due to be sent again, the longest waiting
    first."""
    rows = conn.execute(
        select(_DELIVERIES.c.event_id, _DELIVERIES.c.subscriber, _OUTBOX.c.message, _DELIVERIES.c.last_sent_wall_at)
        .join(_OUTBOX, _OUTBOX.c.id == _DELIVERIES.c.event_id)
        .where(_DELIVERIES.c.confirmed_wall_at.is_(None), _DELIVERIES.c.resend_wall_at <= now)
        .order_by(_DELIVERIES.c.resend_wall_at)
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def record_resent(conn: Connection, resent: dict[str, list[str]], now: datetime, *, sent: bool = True) -> None:
    """Deliveries sent again (``sent``) or held back: either way not due again before ``RESEND_AFTER``."""
    values = {"resend_wall_at": now + RESEND_AFTER}
    if sent:
        values |= {"last_sent_wall_at": now, "attempts": _DELIVERIES.c.attempts + 1}
    for subscriber, event_ids in resent.items():
        for ids in _chunks(event_ids):
            conn.execute(
                update(_DELIVERIES)
                .where(
                    _DELIVERIES.c.subscriber == subscriber,
                    _DELIVERIES.c.event_id.in_(ids),
                    _DELIVERIES.c.confirmed_wall_at.is_(None),
                )
                .values(values)
            )


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _insert(dialect: str):
    if dialect == "postgresql":
        return postgresql_insert(_DELIVERIES)
    if dialect == "sqlite":
        return sqlite_insert(_DELIVERIES)
    raise NotImplementedError(f"no deliveries for {dialect}")


@cache
def _open_statement(dialect: str):
    return _insert(dialect).on_conflict_do_nothing(index_elements=["event_id", "subscriber"])


@cache
def _confirm_statement(dialect: str):
    """INSERT ... SELECT from the outbox (so only our own events get a row) ... ON CONFLICT: close the open one."""
    now = bindparam("now", type_=UtcDateTime())
    ours = select(
        _OUTBOX.c.id,
        bindparam("subscriber", type_=String()),
        literal(1, Integer()),
        now,
        now,
        now,
    ).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    statement = _insert(dialect).from_select(
        ["event_id", "subscriber", "attempts", "last_sent_wall_at", "resend_wall_at", "confirmed_wall_at"], ours
    )
    confirmed = func.coalesce(_DELIVERIES.c.confirmed_wall_at, statement.excluded.confirmed_wall_at)
    return statement.on_conflict_do_update(
        index_elements=["event_id", "subscriber"], set_={"confirmed_wall_at": confirmed}
    )
