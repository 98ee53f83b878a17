"""Writing events in the producer's transaction, and relaying them to their subscribers' queues after commit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shoplab.eventbus.envelope import Event, make_event
from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import OutboxMessage

log = logging.getLogger(__name__)

PENDING = "shoplab.outbox.pending"  # session.info key: events added in the current transaction
SOURCE = "shoplab.service"  # session.info key: the service that owns the session

Send = Callable[[str, dict[str, Any]], None]  # (subscriber queue, message) -> None; raises when it cannot


# A Core insert built once: on the hot paths it costs a third of an ORM add and its flush.
INSERT_OUTBOX = insert(OutboxMessage.__table__)


def publish(session: Session, event_type: str, *, shop_id: str | None, payload: dict[str, Any]) -> Event:
    """Record an event in the same transaction as the state change that caused it."""
    event = make_event(event_type, shop_id=shop_id, source=source_of(session), payload=payload)
    record(session, [event])
    return event


def source_of(session: Session) -> str:
    """The service whose session this is: the ``source`` of the events it publishes."""
    return session.info.get(SOURCE, "unknown")


def record(session: Session, events: list[Event]) -> None:
    """Write prepared events to the outbox in the session's transaction; they are relayed after it commits."""
    if not events:
        return
    session.execute(
        INSERT_OUTBOX,
        [
            {
                "id": event.id,
                "type": event.type,
                "shop_id": event.shop_id,
                "message": json.dumps(event.to_message()),
                "created_at": event.occurred_at,
                "attempts": 0,
            }
            for event in events
        ],
    )
    session.info.setdefault(PENDING, []).extend(events)


class Relay:
    """Sends committed outbox rows to every subscribed service's queue, then marks them sent.

    Sending happens right after commit; whatever a crash or a Redis outage leaves unsent is found by
    :meth:`sweep`, run periodically by the scheduler. A row sent twice is harmless: consumers keep an inbox.
    """

    def __init__(self, engine: Engine, send: Send) -> None:
        self.engine = engine
        self.writer = engine.execution_options(sqlite_immediate=True)  # marks queue with the other writers
        self.send = send

    def relay(self, events: list[Event]) -> int:
        """Send the events of one commit, all in one round trip to Redis when the sender can batch."""
        if not self.send_now(events):
            return 0
        self.mark_sent([event.id for event in events])
        return len(events)

    def send_now(self, events: list[Event]) -> bool:
        """Send without marking; False (logged) when the broker would not take them: the sweep will try again."""
        try:
            self._fan_out([event.to_message() for event in events])
        except Exception as exc:  # the caller's commit already stands
            # Give up at once: the broker is likely away and the caller (a request) must not wait on it.
            log.warning("relay of %d event(s) failed, left for the sweep: %s", len(events), exc)
            return False
        return True

    def sweep(self, *, older_than: timedelta = timedelta(seconds=2), limit: int = 500, chunk: int = 100) -> int:
        """Send what is still unsent after ``older_than``: the repair path for a crash between commit and send."""
        cutoff = datetime.now(UTC) - older_than
        with Session(self.engine) as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.created_at <= cutoff)
                .order_by(OutboxMessage.created_at)
                .limit(limit)
            ).all()
            pending = [(row.id, json.loads(row.message)) for row in rows]
        sent = 0
        for start in range(0, len(pending), chunk):
            part = pending[start : start + chunk]
            try:
                self._fan_out([message for _, message in part])
            except Exception as exc:
                self._record_failure([event_id for event_id, _ in part], str(exc))
                log.warning("sweep could not send %d event(s): %s", len(part), exc)
                break  # the broker is likely down; the next sweep tries again
            self.mark_sent([event_id for event_id, _ in part])
            sent += len(part)
        return sent

    def _fan_out(self, messages: list[dict[str, Any]]) -> None:
        deliveries = [(service, message) for message in messages for service in subscribers_of(message["type"])]
        send_all = getattr(self.send, "send_all", None)
        if send_all is not None:
            send_all(deliveries)
            return
        for service, message in deliveries:
            self.send(service, message)

    def mark_sent(self, event_ids: list[str]) -> None:
        if not event_ids:
            return
        with self.writer.begin() as conn:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(event_ids))
                .values(sent_at=datetime.now(UTC), attempts=OutboxMessage.attempts + 1)
            )

    def _record_failure(self, event_ids: list[str], error: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(event_ids))
                .values(attempts=OutboxMessage.attempts + 1, last_error=error[:2000])
            )
