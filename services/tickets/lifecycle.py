"""A ticket's life after it opened: pending on the buyer (the SLA clock stops), back to open, resolved (reply-time
metrics close on the wall clock), reopened by the buyer, closed. Moves are checked by ``ticket_state``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets import routing, sla
from services.tickets.agents import get_agent
from services.tickets.events import publish_ticket_event
from services.tickets.models import Ticket
from services.tickets.policy import Policy
from services.tickets.ticket_state import HELD, SET_BY_AGENT, next_status
from shoplab.errors import InvalidInput
from shoplab.shops.context import ShopContext


def change_status(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    ticket: Ticket,
    status: str,
    *,
    agent_id: str | None = None,
    reason: str | None = None,
) -> Ticket:
    """What an agent sets through the API: pending, open, resolved or closed."""
    action = SET_BY_AGENT.get(status)
    if action is None:
        raise InvalidInput("unknown target status", {"status": [f"one of {', '.join(SET_BY_AGENT)}"]})
    next_status(ticket, action)
    if agent_id is not None:
        get_agent(session, ticket.shop_id, agent_id)
    if action == "pend":
        pend(session, ctx, ticket, agent_id=agent_id, reason=reason or "awaiting_buyer")
    elif action == "resume":
        resume(session, ctx, ticket, agent_id=agent_id, reason=reason)
    elif action == "resolve":
        resolve(session, ctx, policy, ticket, agent_id=agent_id)
    else:
        close(session, ctx, policy, ticket, reason or "agent")
    ticket.updated_wall_at = ctx.wall_now
    return ticket


def pend(session: Session, ctx: ShopContext, ticket: Ticket, *, agent_id: str | None, reason: str) -> None:
    """On the buyer: every SLA target stands still until the ticket resumes."""
    ticket.status = next_status(ticket, "pend")
    sla.pause(ticket, ctx.shop_now)
    _status_event(session, ctx, ticket, agent_id=agent_id, reason=reason)


def resume(
    session: Session, ctx: ShopContext, ticket: Ticket, *, agent_id: str | None = None, reason: str | None
) -> None:
    """Back to open (the agent resumes, or the buyer wrote): running due times move by the paused span."""
    ticket.status = next_status(ticket, "resume")
    sla.resume(ticket, ctx.shop_now)
    _status_event(session, ctx, ticket, agent_id=agent_id, reason=reason)


def reopen(session: Session, ctx: ShopContext, policy: Policy, ticket: Ticket) -> None:
    """The buyer wrote to a resolved ticket: open again, with a fresh resolution target."""
    ticket.status = next_status(ticket, "buyer_writes")
    ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.resolved_wall_at = None
    ticket.resolution_seconds = None
    ticket.resolved_by = None
    sla.on_reopen(ticket, ctx.shop_now, policy.targets)
    _status_event(session, ctx, ticket, reason="reopened")


def resolve(session: Session, ctx: ShopContext, policy: Policy, ticket: Ticket, *, agent_id: str | None) -> None:
    """Resolved: targets met late are recorded, the resolution time is wall seconds since opening."""
    ticket.status = next_status(ticket, "resolve")
    sla.resume(ticket, ctx.shop_now)
    for target, due in sla.late_on_resolve(ticket, ctx.shop_now):
        sla.record_breach(session, ticket, target, due, ctx.shop_now)
    ticket.resolved_wall_at = ctx.wall_now
    ticket.resolution_seconds = (ctx.wall_now - ticket.opened_wall_at).total_seconds()
    ticket.resolved_by = agent_id or ticket.assignee_id
    ticket.next_response_due_at = None
    session.flush()
    publish_ticket_event(
        session,
        "ticket.resolved",
        ticket,
        agent_id=ticket.resolved_by,
        resolution_seconds=ticket.resolution_seconds,
        resolved_at=ctx.wall_now,
    )
    routing.fill_queue(session, ctx, policy)


def close(session: Session, ctx: ShopContext, policy: Policy, ticket: Ticket, reason: str) -> Ticket:
    """Closed for good: by an agent, or because the world overtook the task (paid, delivered, ruled ...)."""
    held = ticket.status in HELD
    ticket.status = next_status(ticket, "close")
    sla.resume(ticket, ctx.shop_now)
    ticket.closed_wall_at = ctx.wall_now
    ticket.close_reason = reason
    ticket.next_response_due_at = None
    ticket.updated_wall_at = ctx.wall_now
    session.flush()
    publish_ticket_event(session, "ticket.closed", ticket, reason=reason, closed_at=ctx.wall_now)
    if held:  # the holder has room again
        routing.fill_queue(session, ctx, policy)
    return ticket


def _status_event(
    session: Session, ctx: ShopContext, ticket: Ticket, *, agent_id: str | None = None, reason: str | None
) -> None:
    session.flush()
    publish_ticket_event(
        session,
        "ticket.status_changed",
        ticket,
        status=ticket.status,
        agent_id=agent_id,
        reason=reason,
        changed_at=ctx.wall_now,
    )
