"""Agents and who gets which ticket: skill groups, online status, round-robin or least-loaded with a cap,
manual claim, transfer and assignment. Only online agents get new work; going offline hands tickets back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.tickets.events import publish_ticket_event
from services.tickets.models import Agent, ReplyRound, Ticket
from services.tickets.policy import policy_of
from shoplab.errors import Conflict, InvalidInput
from shoplab.shops.replica import get_shop

GROUPS = ("pre_sale", "after_sale")
HELD = ("new", "open", "pending")  # statuses that occupy an agent
STATUSES = ("online", "away", "offline")


def _now() -> datetime:
    return datetime.now(UTC)


def skills_of(agent: Agent) -> set[str]:
    return {s for s in (agent.skills or "").split(",") if s}


def serves(agent: Agent, group: str) -> bool:
    skills = skills_of(agent)
    return not skills or group in skills


def join(session: Session, shop_id: str, agent_id: str, display_name: str, skills: list[str]) -> Agent:
    """A student got a seat (``agent.joined``): they start offline until they say otherwise."""
    agent = session.get(Agent, (shop_id, agent_id))
    known = [s for s in skills if s in GROUPS]
    if agent is None:
        agent = Agent(shop_id=shop_id, agent_id=agent_id, status="offline", joined_at=_now())
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


def update_agent(session: Session, shop_id: str, agent_id: str, changes: dict[str, Any]) -> Agent:
    agent = get_agent(session, shop_id, agent_id)
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
    fill_queue(session, shop_id)
    return agent


def set_status(session: Session, shop_id: str, agent_id: str, status: str, at: datetime | None = None) -> Agent:
    """Online: the agent takes waiting work. Offline: their open tickets go back to the queue (and on to others)."""
    if status not in STATUSES:
        raise InvalidInput("unknown agent status", {"status": [f"one of {', '.join(STATUSES)}"]})
    get_shop(session, shop_id)
    agent = get_agent(session, shop_id, agent_id)
    agent.status = status
    agent.status_changed_at = at or _now()
    session.flush()
    if status == "offline":
        held = session.scalars(
            select(Ticket)
            .where(Ticket.shop_id == shop_id, Ticket.assignee_id == agent_id, Ticket.status.in_(HELD))
            .order_by(Ticket.opened_at)
        ).all()
        for ticket in held:
            hand_over(session, ticket, None, "returned", at=at)
    fill_queue(session, shop_id, at=at)
    return agent


def load_of(session: Session, shop_id: str) -> dict[str, int]:
    rows = session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.shop_id == shop_id, Ticket.assignee_id.is_not(None), Ticket.status.in_(HELD))
        .group_by(Ticket.assignee_id)
    ).all()
    return {agent_id: count for agent_id, count in rows}


def pick_agent(agents: list[Agent], load: dict[str, int], group: str, mode: str, cap: int) -> Agent | None:
    """The rule, free of the database: online, serving the group, under the cap; then by mode.

    round_robin: the agent whose last assignment is oldest (never assigned first); least_loaded: fewest held
    tickets, then the same round-robin order, so equal loads still take turns.
    """
    eligible = [
        a for a in agents if a.status == "online" and serves(a, group) and load.get(a.agent_id, 0) < (a.max_open or cap)
    ]
    if not eligible:
        return None

    def turn(a: Agent) -> tuple:
        return (a.last_assigned_at is not None, a.last_assigned_at or datetime.min.replace(tzinfo=UTC), a.agent_id)

    if mode == "least_loaded":
        return min(eligible, key=lambda a: (load.get(a.agent_id, 0), *turn(a)))
    return min(eligible, key=turn)


def _agents_locked(session: Session, shop_id: str) -> list[Agent]:
    # FOR UPDATE on PostgreSQL serialises routing per shop so two routers never both fill an agent's last slot;
    # SQLite writers are already serialised by BEGIN IMMEDIATE.
    return list(session.scalars(select(Agent).where(Agent.shop_id == shop_id).with_for_update()).all())


def route(session: Session, ticket: Ticket, at: datetime | None = None) -> Agent | None:
    """Give a waiting ticket to an online agent, if one has room; otherwise it waits in the queue."""
    if ticket.assignee_id is not None or ticket.status not in HELD:
        return None
    policy = policy_of(session, ticket.shop_id)
    agents = _agents_locked(session, ticket.shop_id)
    agent = pick_agent(agents, load_of(session, ticket.shop_id), ticket.grp, policy.routing_mode, policy.per_agent_cap)
    if agent is not None:
        hand_over(session, ticket, agent, "routed", at=at)
    return agent


def fill_queue(session: Session, shop_id: str, at: datetime | None = None) -> int:
    """Hand waiting tickets (oldest first) to online agents until everyone is at their cap."""
    waiting = session.scalars(
        select(Ticket)
        .where(Ticket.shop_id == shop_id, Ticket.assignee_id.is_(None), Ticket.status.in_(HELD))
        .order_by(Ticket.opened_at)
    ).all()
    if not waiting:
        return 0
    policy = policy_of(session, shop_id)
    agents = _agents_locked(session, shop_id)
    load = load_of(session, shop_id)
    given = 0
    for ticket in waiting:
        agent = pick_agent(agents, load, ticket.grp, policy.routing_mode, policy.per_agent_cap)
        if agent is None:
            continue
        hand_over(session, ticket, agent, "routed", at=at)
        load[agent.agent_id] = load.get(agent.agent_id, 0) + 1
        given += 1
    return given


def hand_over(session: Session, ticket: Ticket, agent: Agent | None, how: str, at: datetime | None = None) -> None:
    at = at or _now()
    previous = ticket.assignee_id
    ticket.assignee_id = agent.agent_id if agent else None
    ticket.updated_at = at
    if agent is not None:
        agent.last_assigned_at = at
    _open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.assigned",
        ticket,
        agent_id=ticket.assignee_id,
        previous_agent_id=previous,
        how=how,
        assigned_at=at,
    )


def _open_rounds_follow(session: Session, ticket: Ticket) -> None:
    """An unanswered round is the current holder's: it counts against whoever has the ticket."""
    session.execute(
        update(ReplyRound)
        .where(ReplyRound.shop_id == ticket.shop_id, ReplyRound.ticket_id == ticket.id, ReplyRound.replied_at.is_(None))
        .values(agent_id=ticket.assignee_id)
    )


def _online_agent(session: Session, shop_id: str, agent_id: str, field: str) -> Agent:
    agent = get_agent(session, shop_id, agent_id, field)
    if agent.status != "online":
        raise InvalidInput(f"agent {agent_id} is {agent.status}", {field: [f"agent is {agent.status}, not online"]})
    return agent


def claim(session: Session, ticket: Ticket, agent_id: str, at: datetime | None = None) -> Ticket:
    """Take an unassigned ticket. A conditional UPDATE: of two agents claiming at once exactly one wins."""
    agent = _online_agent(session, ticket.shop_id, agent_id, "agent_id")
    at = at or _now()
    won = session.execute(
        update(Ticket)
        .where(
            Ticket.shop_id == ticket.shop_id,
            Ticket.id == ticket.id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_(HELD),
        )
        .values(assignee_id=agent_id, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(ticket)
    if won != 1:
        if ticket.status not in HELD:
            raise Conflict(f"ticket is {ticket.status}", {"ticket_id": [f"ticket is {ticket.status}"]})
        raise Conflict(
            "someone else already holds this ticket",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}"]},
            assignee_id=ticket.assignee_id,
        )
    agent.last_assigned_at = at
    _open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session, "ticket.assigned", ticket, agent_id=agent_id, previous_agent_id=None, how="claimed", assigned_at=at
    )
    return ticket


def transfer(
    session: Session, ticket: Ticket, from_agent_id: str, to_agent_id: str, at: datetime | None = None
) -> Ticket:
    """The holder passes the ticket to a colleague who is online (conditional on still holding it)."""
    if to_agent_id == from_agent_id:
        raise InvalidInput("transfer to oneself", {"to_agent_id": ["must be another agent"]})
    target = _online_agent(session, ticket.shop_id, to_agent_id, "to_agent_id")
    at = at or _now()
    moved = session.execute(
        update(Ticket)
        .where(
            Ticket.shop_id == ticket.shop_id,
            Ticket.id == ticket.id,
            Ticket.assignee_id == from_agent_id,
            Ticket.status.in_(HELD),
        )
        .values(assignee_id=to_agent_id, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(ticket)
    if moved != 1:
        raise Conflict(
            "only the agent holding an active ticket can transfer it",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}, status {ticket.status}"]},
        )
    target.last_assigned_at = at
    _open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.assigned",
        ticket,
        agent_id=to_agent_id,
        previous_agent_id=from_agent_id,
        how="transferred",
        assigned_at=at,
    )
    return ticket


def assign(session: Session, ticket: Ticket, agent_id: str, at: datetime | None = None) -> Ticket:
    """A supervisor or instructor puts a ticket on an online agent of this shop (the cap does not apply)."""
    agent = _online_agent(session, ticket.shop_id, agent_id, "agent_id")
    if ticket.status not in HELD:
        raise Conflict(f"ticket is {ticket.status}", {"ticket_id": [f"ticket is {ticket.status}"]})
    if ticket.assignee_id == agent_id:
        return ticket
    hand_over(session, ticket, agent, "assigned", at=at)
    return ticket


def roster(session: Session, shop_id: str) -> list[dict[str, Any]]:
    get_shop(session, shop_id)
    load = load_of(session, shop_id)
    policy = policy_of(session, shop_id)
    agents = session.scalars(select(Agent).where(Agent.shop_id == shop_id).order_by(Agent.agent_id)).all()
    return [
        {
            "agent_id": a.agent_id,
            "display_name": a.display_name,
            "skills": sorted(skills_of(a)),
            "status": a.status,
            "open_tickets": load.get(a.agent_id, 0),
            "cap": a.max_open or policy.per_agent_cap,
            "last_assigned_at": a.last_assigned_at,
        }
        for a in agents
    ]
