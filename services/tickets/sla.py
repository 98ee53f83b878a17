"""SLA due times, the pause while pending on the buyer, and breach detection — all on the shop's simulated clock
(``*_due_at``, ``paused_at``, ``shop_now``).

Why the simulated clock: a 24 h marketplace target or a 5-day dispute window must fit a lesson when the instructor
speeds the shop's clock up. Reply *times* (the metrics) stay wall-clock seconds: they measure a person.
The rules here are plain functions of a ticket and a given "now", so each is tested without waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from services.tickets.events import publish_ticket_event
from services.tickets.models import SlaBreach, Ticket
from services.tickets.policy import Targets
from services.tickets.ticket_state import HELD
from shoplab.shops.context import ShopContext

FIRST = "first_response"
NEXT = "next_response"
RESOLUTION = "resolution"


def start(ticket: Ticket, shop_now: datetime, targets: Targets) -> None:
    """A new ticket: its resolution target runs from now."""
    ticket.resolution_due_at = shop_now + timedelta(seconds=targets.resolution_seconds)


def awaits_first_response(ticket: Ticket) -> bool:
    """No one of the shop has spoken yet: the buyer's message is owed a first response. On a task an agent opened
    the conversation of (``served_by`` set by their message), the buyer answers them: a next response is owed."""
    return ticket.first_replied_wall_at is None and ticket.served_by is None


def on_buyer_round(ticket: Ticket, shop_now: datetime, targets: Targets) -> None:
    """A buyer-message round began: the first answer is due, or the next one."""
    if awaits_first_response(ticket):
        if ticket.first_response_due_at is None:
            ticket.first_response_due_at = shop_now + timedelta(seconds=targets.first_response_seconds)
    elif ticket.next_response_due_at is None:
        ticket.next_response_due_at = shop_now + timedelta(seconds=targets.next_response_seconds)
        ticket.next_response_breached = False


def on_reopen(ticket: Ticket, shop_now: datetime, targets: Targets) -> None:
    """A resolved ticket the buyer wrote to again gets a fresh resolution target."""
    ticket.resolution_due_at = shop_now + timedelta(seconds=targets.resolution_seconds)


def late_on_reply(ticket: Ticket, shop_now: datetime) -> list[tuple[str, datetime]]:
    """A human reply: which targets it met too late (before the timer noticed). Clears the next-response due."""
    late: list[tuple[str, datetime]] = []
    if ticket.first_replied_wall_at is None and ticket.first_response_due_at is not None:
        if shop_now > ticket.first_response_due_at and not ticket.first_response_breached:
            late.append((FIRST, ticket.first_response_due_at))
    elif ticket.next_response_due_at is not None:
        if shop_now > ticket.next_response_due_at and not ticket.next_response_breached:
            late.append((NEXT, ticket.next_response_due_at))
        ticket.next_response_due_at = None
    return late


def late_on_resolve(ticket: Ticket, shop_now: datetime) -> list[tuple[str, datetime]]:
    if ticket.resolution_due_at is not None and shop_now > ticket.resolution_due_at and not ticket.resolution_breached:
        return [(RESOLUTION, ticket.resolution_due_at)]
    return []


def pause(ticket: Ticket, shop_now: datetime) -> None:
    if ticket.paused_at is None:
        ticket.paused_at = shop_now


def resume(ticket: Ticket, shop_now: datetime) -> float:
    """End a pause: every running due time moves by exactly the paused span. Returns that span in seconds."""
    if ticket.paused_at is None:
        return 0.0
    span = max(shop_now - ticket.paused_at, timedelta(0))
    for name in ("first_response_due_at", "next_response_due_at", "resolution_due_at"):
        due = getattr(ticket, name)
        if due is not None:
            setattr(ticket, name, due + span)
    ticket.paused_seconds = (ticket.paused_seconds or 0.0) + span.total_seconds()
    ticket.paused_at = None
    return span.total_seconds()


def due_breaches(ticket: Any, shop_now: datetime) -> list[tuple[str, datetime]]:
    """The targets that have passed unmet at ``shop_now`` and were not recorded yet. Nothing runs while paused."""
    if ticket.status not in HELD or ticket.paused_at is not None:
        return []
    found: list[tuple[str, datetime]] = []
    if (
        ticket.first_replied_wall_at is None
        and ticket.first_response_due_at is not None
        and not ticket.first_response_breached
        and shop_now >= ticket.first_response_due_at
    ):
        found.append((FIRST, ticket.first_response_due_at))
    if (
        ticket.next_response_due_at is not None
        and not ticket.next_response_breached
        and ticket.awaiting_reply
        and shop_now >= ticket.next_response_due_at
    ):
        found.append((NEXT, ticket.next_response_due_at))
    if ticket.resolution_due_at is not None and not ticket.resolution_breached and shop_now >= ticket.resolution_due_at:
        found.append((RESOLUTION, ticket.resolution_due_at))
    return found


def record_breach(session: Session, ticket: Ticket, target: str, due: datetime, shop_now: datetime) -> None:
    setattr(ticket, f"{target}_breached", True)
    ticket.breach_count = (ticket.breach_count or 0) + 1
    session.add(
        SlaBreach(
            shop_id=ticket.shop_id,
            ticket_id=ticket.id,
            target=target,
            due_at=due,
            detected_at=shop_now,
            agent_id=ticket.assignee_id,
            grp=ticket.grp,
            ticket_opened_wall_at=ticket.opened_wall_at,
        )
    )
    publish_ticket_event(
        session,
        "ticket.sla_breached",
        ticket,
        target=target,
        agent_id=ticket.assignee_id,
        due_at=due,
        detected_at=shop_now,
    )


def _may_breach(ctx: ShopContext) -> list[ColumnElement[bool]]:
    """Active, running tickets with a target passed at the shop's now (the rule then checks each exactly)."""
    return [
        Ticket.shop_id == ctx.id,
        Ticket.status.in_(HELD),
        Ticket.paused_at.is_(None),
        or_(
            (Ticket.first_response_due_at <= ctx.shop_now) & Ticket.first_replied_wall_at.is_(None),
            Ticket.next_response_due_at <= ctx.shop_now,
            Ticket.resolution_due_at <= ctx.shop_now,
        ),
    ]


def breaches_due(ctx: ShopContext) -> ColumnElement[bool]:
    """The timer's cheap probe: is any target of this shop possibly passed?"""
    return exists().where(*_may_breach(ctx))


def detect_breaches(session: Session, ctx: ShopContext) -> int:
    """The timer's pass over one shop: record each target that passed unmet, once. Returns how many."""
    recorded = 0
    candidates = session.scalars(select(Ticket).where(*_may_breach(ctx)).with_for_update()).all()
    for ticket in candidates:
        for target, due in due_breaches(ticket, ctx.shop_now):
            record_breach(session, ticket, target, due, ctx.shop_now)
            recorded += 1
    return recorded
