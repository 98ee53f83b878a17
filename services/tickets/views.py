"""Read models: what an API response shows when it joins several rows. The schemas serialise these (and the
models themselves everywhere else); nothing here writes, and no rule depends on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from marshmallow import missing
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.tickets.models import Agent, Message, OrderFacts, Phrase, PhraseUsage, ReplyRound, Ticket
from services.tickets.phrases import placeholders_in
from services.tickets.policy import Policy
from services.tickets.routing import load_of, skills_of
from services.tickets.ticket_state import HELD

# On PostgreSQL a message's id is taken when it is saved, not when it commits: one saved a moment before the last
# message a page shows can commit after it. A page asking for what came ``after`` that message is sent the messages
# of the moments before it again, and keeps each message once (gateway/web/static/app.js).
LATE_COMMIT = timedelta(seconds=10)


def messages_of(session: Session, ticket: Ticket, audience: str = "agent", after: int | None = None) -> list[Message]:
    """The conversation (``after``: the messages after that one, and those saved up to ``LATE_COMMIT`` before it);
    the buyer's view leaves out internal notes and system events."""
    stmt = select(Message).where(Message.shop_id == ticket.shop_id, Message.ticket_id == ticket.id)
    if after is not None:
        seen = session.scalar(select(Message.created_wall_at).where(Message.id == after,
                                                                    Message.ticket_id == ticket.id))  # fmt: skip
        newer = Message.id > after
        stmt = stmt.where(newer if seen is None else or_(newer, Message.created_wall_at >= seen - LATE_COMMIT))
    if audience == "buyer":
        stmt = stmt.where(Message.kind.in_(("message", "auto_reply")))
    return list(session.scalars(stmt.order_by(Message.id)).all())


def rounds_of(session: Session, ticket: Ticket) -> list[ReplyRound]:
    return list(
        session.scalars(
            select(ReplyRound)
            .where(ReplyRound.shop_id == ticket.shop_id, ReplyRound.ticket_id == ticket.id)
            .order_by(ReplyRound.seq)
        ).all()
    )


@dataclass(frozen=True)
class TicketDetail:
    """A ticket as the agent's screen shows it: its own fields, the conversation, and — for the agent, not the
    buyer — the reply rounds and the order beside them (``missing``: left out of the response)."""

    ticket: Ticket
    messages: list[Message]
    rounds: list[ReplyRound] | Any = missing
    order: OrderFacts | None | Any = missing

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ticket, name)  # the ticket's own fields read through, as the response flattens them


def ticket_detail(session: Session, ticket: Ticket, audience: str = "agent", after: int | None = None) -> TicketDetail:
    messages = messages_of(session, ticket, audience, after=after)
    if audience != "agent":
        return TicketDetail(ticket, messages)
    facts = session.get(OrderFacts, (ticket.shop_id, ticket.order_id)) if ticket.order_id else None
    return TicketDetail(ticket, messages, rounds_of(session, ticket), facts)


@dataclass(frozen=True)
class Reply:
    """A message just written, with the ticket as it now stands (warnings: the message's own)."""

    ticket: Ticket
    message: Message


def queue_page(session: Session, shop_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """The queue, filtered (``active`` = new, open, pending; ``assignee=none`` = unassigned), newest activity first."""
    where = [Ticket.shop_id == shop_id]
    statuses = set(query["status"])
    if "active" in statuses:
        statuses = (statuses - {"active"}) | set(HELD)
    if statuses:
        where.append(Ticket.status.in_(sorted(statuses)))
    if query["assignee"] == "none":
        where.append(Ticket.assignee_id.is_(None))
    elif query["assignee"]:
        where.append(Ticket.assignee_id == query["assignee"])
    if query["kind"]:
        where.append(Ticket.kind.in_(query["kind"]))
    if query["group"]:
        where.append(Ticket.grp == query["group"])
    if query["customer_id"]:
        where.append(Ticket.customer_id == query["customer_id"])
    if query["order_id"]:
        where.append(Ticket.order_id == query["order_id"])
    total = session.scalar(select(func.count()).select_from(Ticket).where(*where))
    items = session.scalars(
        select(Ticket)
        .where(*where)
        .order_by(Ticket.updated_wall_at.desc(), Ticket.id)
        .limit(query["limit"])
        .offset(query["offset"])
    ).all()
    return {"total": total, "items": items}


@dataclass(frozen=True)
class AgentSeat:
    """An agent with the load and cap routing sees."""

    agent: Agent
    skills: list[str]
    open_tickets: int
    cap: int


def agent_seats(session: Session, shop_id: str, policy: Policy, agent_id: str | None = None) -> list[AgentSeat]:
    """The shop's agents (or one of them), by id."""
    load = load_of(session, shop_id)
    stmt = select(Agent).where(Agent.shop_id == shop_id)
    if agent_id is not None:
        stmt = stmt.where(Agent.agent_id == agent_id)
    return [
        AgentSeat(a, sorted(skills_of(a)), load.get(a.agent_id, 0), a.max_open or policy.per_agent_cap)
        for a in session.scalars(stmt.order_by(Agent.agent_id)).all()
    ]


@dataclass(frozen=True)
class PhraseUse:
    """A phrase with its placeholders and how often each agent used it."""

    phrase: Phrase
    placeholders: list[str]
    uses_by_agent: dict[str, int]

    @property
    def uses(self) -> int:
        return sum(self.uses_by_agent.values())


def phrase_uses(session: Session, shop_id: str, phrase_id: int | None = None) -> list[PhraseUse]:
    """The shop's phrases (or one of them) in the order they were written."""
    stmt = select(Phrase).where(Phrase.shop_id == shop_id)
    usage = select(PhraseUsage.phrase_id, PhraseUsage.agent_id, PhraseUsage.uses).where(PhraseUsage.shop_id == shop_id)
    if phrase_id is not None:
        stmt = stmt.where(Phrase.id == phrase_id)
        usage = usage.where(PhraseUsage.phrase_id == phrase_id)
    by_phrase: dict[int, dict[str, int]] = {}
    for pid, agent_id, uses in session.execute(usage).all():
        by_phrase.setdefault(pid, {})[agent_id] = uses
    return [
        PhraseUse(p, placeholders_in(p.body), by_phrase.get(p.id, {}))
        for p in session.scalars(stmt.order_by(Phrase.id)).all()
    ]
