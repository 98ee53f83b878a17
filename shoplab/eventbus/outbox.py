"""Writing events in the producer's transaction, and relaying them to their subscribers' queues after commit."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shoplab.eventbus import deliveries
from shoplab.eventbus.celery_setup import SENT_AT_HEADER
from shoplab.eventbus.confirmations import take_confirmations
from shoplab.eventbus.envelope import Event, make_event
from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import OutboxMessage

log = logging.getLogger(__name__)

PENDING = "shoplab.outbox.pending"  # session.info key: events added in the current transaction
SOURCE = "shoplab.service"  # session.info key: the service that owns the session

Send = Callable[[str, dict[str, Any]], None]  # (subscriber queue, message) -> None; raises when it cannot
Sent = tuple[str, str]  # (event id, event type) of an event handed to every subscriber's queue
CONFIRMATION_BATCH = 1000  # confirmations taken off Redis at a time
CONFIRMATION_ROUNDS = 20  # batches a sweep takes at most


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
                "created_wall_at": event.occurred_at,
                "attempts": 0,
            }
            for event in events
        ],
    )
    session.info.setdefault(PENDING, []).extend(events)


@dataclass
class SweepReport:
    """What one sweep did: confirmations taken, events sent to every subscriber, deliveries sent again, and
    deliveries held back because their subscriber has not yet taken what was queued before them (it is behind, or
    down: the message is likely still waiting)."""

    confirmed: int = 0
    sent: int = 0
    resent: int = 0
    held: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Relay:
    """Sends committed outbox rows to every subscribed service's queue, marks them sent, and keeps after them
    until every subscriber has confirmed.

    Sending happens right after commit; whatever a crash or a Redis outage leaves unsent, and whatever a subscriber
    has not confirmed in time, is found by :meth:`sweep`, run periodically by the scheduler. A row sent twice is
    harmless: consumers keep an inbox. ``broker`` (the Redis of the queues) is where confirmations come back and
    queue lengths are read; without it the sweep only sends.
    """

    def __init__(self, engine: Engine, send: Send, *, producer: str = "", broker: redis.Redis | None = None) -> None:
        self.engine = engine
        self.writer = engine.execution_options(sqlite_immediate=True)  # marks queue with the other writers
        self.send = send
        self.producer = producer
        self.broker = broker

    def relay(self, events: list[Event]) -> int:
        """Send the events of one commit, all in one round trip to Redis when the sender can batch."""
        if not self.send_now(events):
            return 0
        self.mark_sent([(event.id, event.type) for event in events])
        return len(events)

    def send_now(self, events: list[Event]) -> bool:
        """Send without marking; False (logged) when the broker would not take them: the sweep will try again."""
        try:
            self._send_all(self._fan_out([event.to_message() for event in events]))
        except Exception as exc:  # the caller's commit already stands
            # Give up at once: the broker is likely away and the caller (a request) must not wait on it.
            log.warning("relay of %d event(s) failed, left for the sweep: %s", len(events), exc)
            return False
        return True

    def sweep(self, *, older_than: timedelta = timedelta(seconds=2), limit: int = 500, chunk: int = 100) -> SweepReport:
        """The repair path: take the subscribers' confirmations, send what is still unsent after ``older_than``
        (a crash between commit and send), and send again what a subscriber has not confirmed in time."""
        report = SweepReport(confirmed=self.take_confirmations())
        report.sent = self._send_unsent(older_than, limit, chunk)
        report.resent, report.held = self._resend_overdue(limit)
        return report

    def take_confirmations(self) -> int:
        """Close the deliveries subscribers have confirmed since the last sweep (a batch, one UPDATE each)."""
        if self.broker is None or not self.producer:
            return 0
        confirmed: dict[str, list[str]] = defaultdict(list)
        taken = 0
        try:
            for _ in range(CONFIRMATION_ROUNDS):
                batch, count = take_confirmations(self.broker, self.producer, CONFIRMATION_BATCH)
                for subscriber, event_ids in batch.items():
                    confirmed[subscriber].extend(event_ids)
                taken += count
                if count < CONFIRMATION_BATCH:
                    break
        except redis.RedisError as exc:
            log.warning("sweep could not read confirmations: %s", exc)
        if confirmed:  # taken off Redis: if this write fails they are lost, which only costs repeats
            with self.writer.begin() as conn:
                deliveries.record_confirmed(conn, confirmed, datetime.now(UTC))
        return taken

    def _send_unsent(self, older_than: timedelta, limit: int, chunk: int) -> int:
        cutoff = datetime.now(UTC) - older_than
        with self.engine.connect() as conn:
            pending = conn.execute(
                select(OutboxMessage.id, OutboxMessage.type, OutboxMessage.message)
                .where(OutboxMessage.sent_wall_at.is_(None), OutboxMessage.created_wall_at <= cutoff)
                .order_by(OutboxMessage.created_wall_at)
                .limit(limit)
            ).all()
        sent = 0
        for start in range(0, len(pending), chunk):
            part = pending[start : start + chunk]
            try:
                self._send_all(self._fan_out([json.loads(message) for _, _, message in part]))
            except Exception as exc:
                self._record_failure([event_id for event_id, _, _ in part], str(exc))
                log.warning("sweep could not send %d event(s): %s", len(part), exc)
                break  # the broker is likely down; the next sweep tries again
            self.mark_sent([(event_id, event_type) for event_id, event_type, _ in part])
            sent += len(part)
        return sent

    def _resend_overdue(self, limit: int) -> tuple[int, int]:
        """Send each overdue delivery again to its subscriber alone, unless the subscriber's queue still holds a
        message sent no later than it: then it may well be waiting there (a subscriber down or behind), and a copy
        would only lengthen the queue. Such deliveries are looked at again after ``RESEND_AFTER``."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            due = deliveries.overdue(conn, now, limit)
        if not due:
            return 0, 0
        resent: dict[str, list[str]] = defaultdict(list)
        held: dict[str, list[str]] = defaultdict(list)
        try:
            waiting_since = self._oldest_waiting(sorted({subscriber for _, subscriber, _, _ in due}))
            routed = []
            for event_id, subscriber, message, last_sent in due:
                oldest = waiting_since.get(subscriber)
                if oldest is not None and oldest <= last_sent.timestamp():
                    held[subscriber].append(event_id)
                else:
                    resent[subscriber].append(event_id)
                    routed.append((subscriber, json.loads(message)))
            self._send_all(routed)
        except Exception as exc:
            log.warning("sweep could not send %d overdue deliveries again: %s", len(due), exc)
            return 0, 0
        with self.writer.begin() as conn:
            deliveries.record_resent(conn, resent, now)
            deliveries.record_resent(conn, held, now, sent=False)
        if resent:
            log.info("sweep sent %d unconfirmed deliveries again: %s", len(routed), dict(resent.items()))
        return len(routed), len(due) - len(routed)

    def _oldest_waiting(self, subscribers: list[str], look: int = 20) -> dict[str, float]:
        """When the oldest message still waiting in each subscriber's queue was sent (kombu takes from the right
        end); subscribers whose queue is empty, or holds only messages of others (the scheduler's), are left out."""
        if self.broker is None:
            return {}
        with self.broker.pipeline(transaction=False) as pipe:
            for subscriber in subscribers:
                pipe.lrange(subscriber, -look, -1)
            tails = pipe.execute()
        oldest: dict[str, float] = {}
        for subscriber, tail in zip(subscribers, tails, strict=True):
            for raw in reversed(tail):
                sent_at = json.loads(raw).get("headers", {}).get(SENT_AT_HEADER)
                if sent_at is not None:
                    oldest[subscriber] = float(sent_at)
                    break
        return oldest

    @staticmethod
    def _fan_out(messages: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
        return [(service, message) for message in messages for service in subscribers_of(message["type"])]

    def _send_all(self, routed: Iterable[tuple[str, dict[str, Any]]]) -> None:
        send_all = getattr(self.send, "send_all", None)
        if send_all is not None:
            send_all(routed)
            return
        for service, message in routed:
            self.send(service, message)

    def mark_sent(self, sent: list[Sent]) -> None:
        """Note the events as sent and open a delivery for each of their subscribers, in one transaction."""
        if not sent:
            return
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([event_id for event_id, _ in sent]))
                .values(
                    sent_wall_at=func.coalesce(OutboxMessage.sent_wall_at, now),
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            deliveries.record_sent(conn, sent, now)

    def _record_failure(self, event_ids: list[str], error: str) -> None:
        with self.writer.begin() as conn:
            conn.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(event_ids))
                .values(attempts=OutboxMessage.attempts + 1, last_error=error[:2000])
            )
