"""Who gets which ticket: online agents of the ticket's skill group under their cap, round-robin or least-loaded.

A new or returned ticket is routed at once; waiting tickets (oldest first) are handed out whenever room appears
(an agent comes online, a held ticket is resolved or closed). With no one available a ticket waits unassigned.
Care items wait to be claimed instead (``WAIT_FOR_CLAIM``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from services.tickets.events import publish_ticket_event
from services.tickets.models import Agent, ReplyRound, Ticket
from services.tickets.policy import Policy
from services.tickets.ticket_state import HELD
from shoplab.shops.context import ShopContext

_NEVER = datetime.min.replace(tzinfo=UTC)

# Care items (greetings, follow-ups, win-backs) are not handed out: on a holiday every recent customer gets one at
# 10:00 their time, and routed they would fill every pre-sale seat before the buyers' own questions (handed out
# oldest first, they would even go first). They wait unassigned for a student to claim in a quiet moment; a buyer
# who answers one is waiting for a person, and that ticket is routed like any other.
WAIT_FOR_CLAIM = frozenset({"care"})


def routable(ticket: Ticket) -> bool:
    return ticket.kind not in WAIT_FOR_CLAIM or bool(ticket.awaiting_reply)


def skills_of(agent: Agent) -> set[str]:
    return {s for s in (agent.skills or "").split(",") if s}


def serves(agent: Agent, group: str) -> bool:
    """An agent with no skills serves every group."""
    skills = skills_of(agent)
    return not skills or group in skills


def load_of(session: Session, shop_id: str) -> dict[str, int]:
    """Held tickets (new, open, pending) per agent."""
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

    def turn(a: Agent) -> tuple[bool, datetime, str]:
        return (a.last_assigned_wall_at is not None, a.last_assigned_wall_at or _NEVER, a.agent_id)

    if mode == "least_loaded":
        return min(eligible, key=lambda a: (load.get(a.agent_id, 0), *turn(a)))
    return min(eligible, key=turn)


def _agents_locked(session: Session, shop_id: str) -> list[Agent]:
    # FOR UPDATE on PostgreSQL serialises routing per shop so two routers never both fill an agent's last slot;
    # SQLite writers are already serialised by BEGIN IMMEDIATE.
    return list(session.scalars(select(Agent).where(Agent.shop_id == shop_id).with_for_update()).all())


def route(session: Session, ctx: ShopContext, policy: Policy, ticket: Ticket) -> Agent | None:
    """Give a waiting ticket to an online agent, if one has room; otherwise it waits in the queue."""
    if ticket.assignee_id is not None or ticket.status not in HELD or not routable(ticket):
        return None
    agents = _agents_locked(session, ticket.shop_id)
    agent = pick_agent(agents, load_of(session, ticket.shop_id), ticket.grp, policy.routing_mode, policy.per_agent_cap)
    if agent is not None:
        hand_over(session, ctx, ticket, agent, "routed")
    return agent


def wanted_again(session: Session, ctx: ShopContext, policy: Policy, ticket: Ticket) -> None:
    """A ticket that needs a person again (the buyer wrote, a review got worse): back to the queue if its holder is
    offline, then routed when it waits."""
    holder = session.get(Agent, (ticket.shop_id, ticket.assignee_id)) if ticket.assignee_id else None
    if holder is not None and holder.status == "offline":
        hand_over(session, ctx, ticket, None, "returned")
    route(session, ctx, policy, ticket)


def fill_queue(session: Session, ctx: ShopContext, policy: Policy) -> int:
    """Hand waiting tickets (oldest first) to online agents until everyone is at their cap."""
    waiting = session.scalars(
        select(Ticket)
        .where(
            Ticket.shop_id == ctx.id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_(HELD),
            or_(Ticket.kind.not_in(WAIT_FOR_CLAIM), Ticket.awaiting_reply.is_(True)),
        )
        .order_by(Ticket.opened_wall_at)
    ).all()
    if not waiting:
        return 0
    agents = _agents_locked(session, ctx.id)
    load = load_of(session, ctx.id)
    given = 0
    for ticket in waiting:
        agent = pick_agent(agents, load, ticket.grp, policy.routing_mode, policy.per_agent_cap)
        if agent is None:
            continue
        hand_over(session, ctx, ticket, agent, "routed")
        load[agent.agent_id] = load.get(agent.agent_id, 0) + 1
        given += 1
    return given


def hand_over(session: Session, ctx: ShopContext, ticket: Ticket, agent: Agent | None, how: str) -> None:
    """Put the ticket on ``agent`` (None: back to the queue) and say so."""
    previous = ticket.assignee_id
    ticket.assignee_id = agent.agent_id if agent else None
    ticket.updated_wall_at = ctx.wall_now
    if agent is not None:
        agent.last_assigned_wall_at = ctx.wall_now
    open_rounds_follow(session, ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.assigned",
        ticket,
        agent_id=ticket.assignee_id,
        previous_agent_id=previous,
        how=how,
        assigned_at=ctx.wall_now,
    )


def open_rounds_follow(session: Session, ticket: Ticket) -> None:
    """An unanswered round is the current holder's: it counts against whoever has the ticket."""
    session.execute(
        update(ReplyRound)
        .where(
            ReplyRound.shop_id == ticket.shop_id,
            ReplyRound.ticket_id == ticket.id,
            ReplyRound.replied_wall_at.is_(None),
        )
        .values(agent_id=ticket.assignee_id)
    )
