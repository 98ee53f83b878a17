"""CSAT: the buyer rates a resolved conversation once, 1–5 with a comment, credited to the resolving agent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets.events import publish_ticket_event
from services.tickets.models import Ticket
from services.tickets.ticket_state import require_status
from shoplab.errors import Conflict, InvalidInput
from shoplab.shops.context import ShopContext


def rate(session: Session, ctx: ShopContext, ticket: Ticket, score: int, comment: str = "") -> Ticket:
    if not 1 <= score <= 5:
        raise InvalidInput("score out of range", {"score": ["from 1 to 5"]})
    require_status(ticket, "rate")
    if ticket.rated_wall_at is not None:
        raise Conflict("this conversation was rated already", {"score": ["already rated"]})
    ticket.csat_score = score
    ticket.csat_comment = comment or ""
    ticket.rated_wall_at = ctx.wall_now
    session.flush()
    publish_ticket_event(
        session,
        "csat.rated",
        ticket,
        agent_id=ticket.resolved_by or ticket.served_by or ticket.assignee_id,
        score=score,
        comment=comment or "",
        rated_at=ctx.wall_now,
    )
    return ticket
