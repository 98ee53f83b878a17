"""Agents: students seated in a shop, their skill groups, their own cap and their online status.

Only online agents get new work; away keeps their tickets but takes nothing new; going offline hands every held
ticket back to the queue, where it goes on to colleagues who are online.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.models import Agent, Ticket
from services.tickets.policy import Policy
from services.tickets.routing import fill_queue, hand_over
from services.tickets.ticket_state import HELD
from shoplab.contracts.tickets import GROUPS
from shoplab.errors import InvalidInput
from shoplab.shops.context import ShopContext

STATUSES = ("online", "away", "offline")


def join(
    session: Session, shop_id: str, agent_id: str, display_name: str, skills: list[str], joined_wall_at: datetime
) -> Agent:
    """A student got a seat (``agent.joined``): they start offline until they say otherwise.

    Takes the shop's id, not its context: a seat may arrive before the shop's copy does, and needs no clock."""
    agent = session.get(Agent, (shop_id, agent_id))
    known = [s for s in skills if s in GROUPS]
    if agent is None:
        agent = Agent(shop_id=shop_id, agent_id=agent_id, status="offline", joined_wall_at=joined_wall_at)
        session.add(agent)
    agent.display_name = display_name
    if known or not agent.skills:
        agent.skills = ",".join(known)
    session.flush()
    return agent


def get_agent(session: Session, shop_id: str, agent_id: str, field: str = "agent_id") -> Agent:
    """An agent of this shop; an agent of another shop is unknown here (422 on ``field``)."""
    agent = session.get(Agent, (shop_id, agent_id))
    if agent is None:
        raise InvalidInput(f"agent {agent_id} has no seat in shop {shop_id}", {field: ["not an agent of this shop"]})
    return agent


def online_agent(session: Session, shop_id: str, agent_id: str, field: str) -> Agent:
    """An agent of this shop who is online (422 on ``field`` otherwise)."""
    agent = get_agent(session, shop_id, agent_id, field)
    if agent.status != "online":
        raise InvalidInput(f"agent {agent_id} is {agent.status}", {field: [f"agent is {agent.status}, not online"]})
    return agent


def update_agent(session: Session, ctx: ShopContext, policy: Policy, agent_id: str, changes: dict[str, Any]) -> Agent:
    """Set an agent's skill groups (empty = every group) and own cap; waiting work may now fit."""
    agent = get_agent(session, ctx.id, agent_id)
    if "skills" in changes:
        unknown = [s for s in changes["skills"] if s not in GROUPS]
        if unknown:
            raise InvalidInput(
                "unknown skill group", {"skills": [f"{s!r} is not one of {', '.join(GROUPS)}" for s in unknown]}
            )
        agent.skills = ",".join(changes["skills"])
    if "max_open" in changes:
        agent.max_open = changes["max_open"]
    session.flush()
    fill_queue(session, ctx, policy)
    return agent


def set_status(session: Session, ctx: ShopContext, policy: Policy, agent_id: str, status: str) -> Agent:
    """Online: the agent takes waiting work. Offline: their held tickets go back to the queue (and on to others)."""
    if status not in STATUSES:
        raise InvalidInput("unknown agent status", {"status": [f"one of {', '.join(STATUSES)}"]})
    agent = get_agent(session, ctx.id, agent_id)
    agent.status = status
    agent.status_changed_wall_at = ctx.wall_now
    session.flush()
    if status == "offline":
        held = session.scalars(
            select(Ticket)
            .where(Ticket.shop_id == ctx.id, Ticket.assignee_id == agent_id, Ticket.status.in_(HELD))
            .order_by(Ticket.opened_wall_at)
        ).all()
        for ticket in held:
            hand_over(session, ctx, ticket, None, "returned")
    fill_queue(session, ctx, policy)
    return agent
