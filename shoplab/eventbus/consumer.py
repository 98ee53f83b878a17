"""Handling a delivered event exactly once in effect: the inbox, the handler registry and the dead letters."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shoplab.eventbus.envelope import Event, InvalidEvent, parse_message
from shoplab.eventbus.tables import DeadLetter, InboxEntry

Handler = Callable[[Session, Event], None]
SessionFactory = Callable[[], Session]

HANDLED = "handled"
DUPLICATE = "duplicate"


class Consumer:
    """One service's side of delivery. Free of Celery: the worker task and the replay API both call it."""

    def __init__(self, service: str, sessions: SessionFactory, handlers: Mapping[str, Handler]) -> None:
        self.service = service
        self.sessions = sessions
        self.handlers = handlers

    def parse(self, message: Any) -> Event:
        event = parse_message(message)
        if event.type not in self.handlers:
            raise InvalidEvent(f"{self.service} has no handler for {event.type}", {"type": ["not subscribed"]})
        return event

    def handle(self, event: Event) -> str:
        """Run the handler and record the event id in one transaction; a second delivery changes nothing."""
        try:
            with self.sessions() as session, session.begin():
                # One statement claims the event: a second delivery inserts nothing (and, when it runs at the same
                # moment on PostgreSQL, waits for the first to commit, then inserts nothing).
                dialect = session.get_bind().dialect.name
                claim = session.execute(
                    _claim_statement(dialect),
                    {
                        "event_id": event.id,
                        "type": event.type,
                        "occurred_wall_at": event.occurred_at,
                        "handled_wall_at": _now(),
                    },
                )
                # psycopg reports no row count for this statement, hence RETURNING there; SQLite's count is exact
                # (and RETURNING would need SQLite 3.35, newer than some distributions ship)
                claimed = claim.first() is not None if dialect == "postgresql" else claim.rowcount == 1
                if not claimed:
                    return DUPLICATE
                self.handlers[event.type](session, event)
        except IntegrityError:
            # A concurrent delivery of the same event committed first: ours rolled back whole.
            if self._seen(event.id):
                return DUPLICATE
            raise
        return HANDLED

    def dead_letter(self, message: Any, *, reason: str, error: str, attempts: int) -> int:
        """Keep the message with its error. The same event failing again (sent again by its producer before its
        confirmation arrived) adds its attempts to the letter still waiting, instead of a second letter."""
        event_id = _field(message, "id")
        with self.sessions() as session, session.begin():
            letter = None
            if event_id is not None:
                letter = session.scalars(
                    select(DeadLetter)
                    .where(DeadLetter.event_id == event_id, DeadLetter.replayed_wall_at.is_(None))
                    .order_by(DeadLetter.id)
                    .limit(1)
                ).first()
            if letter is not None:
                letter.attempts += attempts
                letter.error = error
                letter.reason = reason
                return letter.id
            letter = DeadLetter(
                event_id=event_id,
                type=_field(message, "type"),
                message=json.dumps(message, default=str),
                reason=reason,
                error=error,
                attempts=attempts,
                created_wall_at=_now(),
            )
            session.add(letter)
            session.flush()
            return letter.id

    def replay(self, letter_id: int) -> str:
        """Try a dead letter again (after a fix); on success it is marked replayed, on failure it stays."""
        with self.sessions() as session:
            letter = session.get(DeadLetter, letter_id)
            if letter is None:
                raise LookupError(letter_id)
            if letter.replayed_wall_at is not None:
                return DUPLICATE
            message = json.loads(letter.message)
        event = self.parse(message)
        outcome = self.handle(event)
        with self.sessions() as session, session.begin():
            letter = session.get(DeadLetter, letter_id)
            letter.replayed_wall_at = _now()
        return outcome

    def record_replay_failure(self, letter_id: int, error: str) -> None:
        with self.sessions() as session, session.begin():
            letter = session.get(DeadLetter, letter_id)
            letter.attempts += 1
            letter.error = error

    def _seen(self, event_id: str) -> bool:
        with self.sessions() as session:
            return session.scalar(select(InboxEntry.event_id).where(InboxEntry.event_id == event_id)) is not None


@cache
def _claim_statement(dialect: str):
    """INSERT into the inbox that inserts nothing when the event id is there already; built once per dialect."""
    inbox = InboxEntry.__table__
    if dialect == "postgresql":
        return postgresql_insert(inbox).on_conflict_do_nothing(index_elements=["event_id"]).returning(inbox.c.event_id)
    if dialect == "sqlite":
        return sqlite_insert(inbox).on_conflict_do_nothing(index_elements=["event_id"])
    raise NotImplementedError(f"no inbox claim for {dialect}")


def _field(message: Any, name: str) -> str | None:
    value = message.get(name) if isinstance(message, dict) else None
    return str(value)[:80] if value is not None else None


def _now() -> datetime:
    return datetime.now(UTC)
