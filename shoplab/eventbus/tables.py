"""The bus's own tables, present in every service's database (created by the shared migration branch).

Every DateTime column here is wall-clock bookkeeping, hence ``*_wall_at`` (the shops' clocks are in their anchors)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shoplab.dbtypes import UtcDateTime


class BusBase(DeclarativeBase):
    """Tables every service has. Each service's own tables use its own base, so its metadata stays its own."""


class OutboxMessage(BusBase):
    """An event this service published, written in the transaction of the change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the event id
    type: Mapped[str] = mapped_column(String(80))
    shop_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)  # the envelope as JSON
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the envelope's occurred_at
    sent_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # first handed to every subscriber's queue
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # sends to every subscriber (relay, unsent sweep)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_unsent", "sent_wall_at", "created_wall_at"),)


class Delivery(BusBase):
    """One subscriber's copy of a sent event, until that subscriber confirms it has recorded the event.

    Written when the event is first marked sent; the sweep sends the event again to this subscriber alone while
    ``confirmed_wall_at`` is empty and ``resend_wall_at`` has passed."""

    __tablename__ = "outbox_deliveries"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(40), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # sends to this subscriber
    last_sent_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resend_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)  # sent again after this unless confirmed
    confirmed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_deliveries_unconfirmed", "confirmed_wall_at", "resend_wall_at"),)


class InboxEntry(BusBase):
    """An event this service has handled; written in the same transaction as the handler's effects."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    occurred_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the envelope's occurred_at
    handled_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DeadLetter(BusBase):
    """An event that could not be handled: invalid, or failing after its retries. Kept until replayed."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    type: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)  # as received, even when it is not a valid envelope
    reason: Mapped[str] = mapped_column(String(20))  # "invalid" or "failed"
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replayed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
