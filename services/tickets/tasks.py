"""Tasks the world opens in the queue (an unpaid order, a parcel in trouble, a bad review, a care greeting): one per
thing in the world, found by its ``source_ref``, and closed with the reason when the world overtakes it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets import lifecycle
from services.tickets.models import Ticket
from services.tickets.policy import Policy
from services.tickets.system_events import TASK_CLOSED, Line
from services.tickets.system_lines import add_line
from services.tickets.ticket_state import HELD, RESOLVED
from shoplab.shops.context import ShopContext

OVERTAKEN_FROM = (*HELD, RESOLVED)  # a task still in someone's hands, or resolved and not yet closed


def task_for(session: Session, shop_id: str, source_ref: str) -> Ticket | None:
    """The task opened for this thing in the world, whatever its status."""
    return session.scalar(select(Ticket).where(Ticket.shop_id == shop_id, Ticket.source_ref == source_ref))


def close_overtaken(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    tickets: Iterable[Ticket],
    reason: str,
    note: Line | None = None,
) -> int:
    """Close the tasks the world has overtaken, saying why on each; closed ones are left as they are. ``note``
    says more than the reason (how a review was revised): its code then names the line, the reason among its
    params."""
    closed = 0
    text = f"closed automatically: {reason}" + (f" — {note.text}" if note else "")
    code, params = (note.code, {"reason": reason, **note.params}) if note else (TASK_CLOSED, {"reason": reason})
    for ticket in tickets:
        if ticket.status not in OVERTAKEN_FROM:
            continue
        add_line(session, ctx, ticket, Line(text, code, params))
        lifecycle.close(session, ctx, policy, ticket, reason)
        closed += 1
    return closed
