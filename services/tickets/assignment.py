"""People moving tickets by hand: an agent claims a waiting ticket, the holder transfers it to a colleague, a
supervisor or instructor assigns it. Each needs the receiving agent online and seated in the same shop."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.tickets.agents import online_agent
from services.tickets.events import publish_ticket_event
from services.tickets.models import Ticket
from services.tickets.routing import hand_over, open_rounds_follow
from services.tickets.ticket_state import HELD, require_status
from shoplab.errors import Conflict, InvalidInput
from shoplab.shops.context import ShopContext


def claim(session: Session, ctx: ShopContext, ticket: Ticket, agent_id: str) -> Ticket:
    """Take an unassigned ticket. A conditional UPDATE: of two agents claiming at once exactly one wins.

    A manual claim may go over the agent's cap (routing respects it, people may choose to)."""
    agent = online_agent(session, ticket.shop_id, agent_id, "agent_id")
    won = session.execute(
        update(Ticket)
        .where(
            Ticket.shop_id == ticket.shop_id,
            Ticket.id == ticket.id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_(HELD),
        )
        .values(assignee_id=agent_id, updated_wall_at=ctx.wall_now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(ticket)
    if won != 1:
        require_status(ticket, "claim")
        raise Conflict(
            "someone else already holds this ticket",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}"]},
            assignee_id=ticket.assignee_id,
        )
    agent.last_assigned_wall_at = ctx.wall_now
    open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.assigned",
        ticket,
        agent_id=agent_id,
        previous_agent_id=None,
        how="claimed",
        assigned_at=ctx.wall_now,
    )
    return ticket


def transfer(session: Session, ctx: ShopContext, ticket: Ticket, from_agent_id: str, to_agent_id: str) -> Ticket:
    """The holder passes the ticket to a colleague who is online (conditional on still holding it)."""
    if to_agent_id == from_agent_id:
        raise InvalidInput("transfer to oneself", {"to_agent_id": ["must be another agent"]})
    target = online_agent(session, ticket.shop_id, to_agent_id, "to_agent_id")
    moved = session.execute(
        update(Ticket)
        .where(
            Ticket.shop_id == ticket.shop_id,
            Ticket.id == ticket.id,
            Ticket.assignee_id == from_agent_id,
            Ticket.status.in_(HELD),
        )
        .values(assignee_id=to_agent_id, updated_wall_at=ctx.wall_now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(ticket)
    if moved != 1:
        raise Conflict(
            "only the agent holding an active ticket can transfer it",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}, status {ticket.status}"]},
            current_status=ticket.status,
        )
    target.last_assigned_wall_at = ctx.wall_now
    open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.assigned",
        ticket,
        agent_id=to_agent_id,
        previous_agent_id=from_agent_id,
        how="transferred",
        assigned_at=ctx.wall_now,
    )
    return ticket


def assign(session: Session, ctx: ShopContext, ticket: Ticket, agent_id: str) -> Ticket:
    """A supervisor or instructor puts a ticket on an online agent of this shop (the cap does not apply)."""
    agent = online_agent(session, ticket.shop_id, agent_id, "agent_id")
    require_status(ticket, "assign")
    if ticket.assignee_id == agent_id:
        return ticket
    hand_over(session, ctx, ticket, agent, "assigned")
    return ticket
