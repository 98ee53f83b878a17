"""Messages of a conversation: the buyer's, the agents' replies (checked against the platform's rules first), the
auto first reply, internal notes and system events — and the reply rounds the reply-time metrics are made of.

A round starts at the oldest unanswered buyer message (wall clock); further buyer messages before an answer join
it; the first human reply ends it. Auto replies, notes and system events answer nothing. The first round is the
buyer's first message before anyone of the shop spoke: on a task an agent opened the conversation of (a care
greeting, a review follow-up), the buyer's answer is a later round, not a first response.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets import lifecycle, phrases, routing, sla
from services.tickets.agents import get_agent
from services.tickets.assignment import claim
from services.tickets.events import publish_ticket_event
from services.tickets.models import Message, OrderFacts, Phrase, ReplyRound, Ticket
from services.tickets.policy import Policy
from services.tickets.ticket_state import PENDING, RESOLVED, next_status
from shoplab.content_rules import Violation, screen
from shoplab.errors import Conflict, InvalidInput
from shoplab.shops.context import ShopContext

CHANNELS = ("chat", "platform_message", "email")
MAX_BODY = 2000


def check_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the message is empty", {"body": ["must not be empty"]})
    if len(text) > MAX_BODY:
        raise InvalidInput("the message is too long", {"body": [f"at most {MAX_BODY} characters, got {len(text)}"]})
    return text


def check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})


def new_message(ctx: ShopContext, ticket: Ticket, author: str, kind: str, body: str, **extra: object) -> Message:
    """A line of the conversation, not yet added: on the ticket's channel and in its language unless told."""
    values = {"channel": ticket.channel, "language": ticket.language, **extra}
    return Message(
        shop_id=ticket.shop_id,
        ticket_id=ticket.id,
        author=author,
        kind=kind,
        body=body,
        created_wall_at=ctx.wall_now,
        **values,
    )


def auto_reply(session: Session, ctx: ShopContext, ticket: Ticket, text: str) -> Message:
    """首句回复: sent for the buyer to see at once; it closes no round and is never a human reply."""
    message = new_message(ctx, ticket, "system", "auto_reply", text)
    session.add(message)
    session.flush()
    publish_ticket_event(
        session,
        "message.replied",
        ticket,
        message_id=message.id,
        agent_id=None,
        auto=True,
        channel=ticket.channel,
        reply_seconds=None,
        replied_at=ctx.wall_now,
    )
    return message


def buyer_message(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    ticket: Ticket,
    text: str,
    *,
    channel: str,
    language: str,
    reopened: bool = False,
) -> Message:
    """Record a buyer's message; it starts a round unless the buyer is already waiting for an answer."""
    if not ticket.awaiting_reply:
        ticket.round_count = (ticket.round_count or 0) + 1
        session.add(
            ReplyRound(
                shop_id=ticket.shop_id,
                ticket_id=ticket.id,
                grp=ticket.grp,
                seq=ticket.round_count,
                is_first=sla.awaits_first_response(ticket),
                agent_id=ticket.assignee_id,
                started_wall_at=ctx.wall_now,
            )
        )
        ticket.awaiting_reply = True
        sla.on_buyer_round(ticket, ctx.shop_now, policy.targets)
    message = new_message(ctx, ticket, "buyer", "message", text, channel=channel, language=language)
    session.add(message)
    ticket.updated_wall_at = ctx.wall_now
    session.flush()
    publish_ticket_event(
        session,
        "message.received",
        ticket,
        message_id=message.id,
        channel=channel,
        language=language,
        received_at=ctx.wall_now,
        reopened=reopened,
    )
    return message


def buyer_writes(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    ticket: Ticket,
    body: str,
    *,
    channel: str | None = None,
    language: str | None = None,
) -> Message:
    """The buyer writes again: a pending ticket resumes, a resolved one reopens, a closed one refuses (409)."""
    text = check_body(body)
    check_channel(channel)
    before = ticket.status
    next_status(ticket, "buyer_writes")
    if before == RESOLVED:
        lifecycle.reopen(session, ctx, policy, ticket)
    elif before == PENDING:
        lifecycle.resume(session, ctx, ticket, reason="buyer_replied")
    message = buyer_message(
        session,
        ctx,
        policy,
        ticket,
        text,
        channel=channel or ticket.channel,
        language=language or ticket.language,
        reopened=before == RESOLVED,
    )
    routing.wanted_again(session, ctx, policy, ticket)
    return message


def agent_replies(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    ticket: Ticket,
    agent_id: str,
    body: str | None = None,
    *,
    phrase_id: int | None = None,
    channel: str | None = None,
    await_buyer: bool = False,
) -> tuple[Message, list[Violation]]:
    """A human reply, checked against the platform's rules first; it answers the round the buyer is waiting in.

    Everything that may refuse it (the status, the agent, the phrase, the text, the rules, who holds the ticket)
    is checked before anything is written."""
    opened = next_status(ticket, "agent_replies")
    check_channel(channel)
    get_agent(session, ticket.shop_id, agent_id)
    facts = session.get(OrderFacts, (ticket.shop_id, ticket.order_id)) if ticket.order_id else None
    text, phrase = _reply_text(session, ticket, facts, body, phrase_id)
    # the conversation's own order and parcel may be named: a tracking number can look like a phone number
    quotable = (ticket.order_no, facts.order_no, facts.tracking_no) if facts else (ticket.order_no,)
    warnings = screen(text, policy.forbidden_content, quotable=quotable)
    _take(session, ctx, ticket, agent_id)
    for target, due in sla.late_on_reply(ticket, ctx.shop_now):
        sla.record_breach(session, ticket, target, due, ctx.shop_now)
    reply_seconds = _answer_round(session, ctx, ticket, agent_id)
    ticket.status = opened
    message = new_message(
        ctx,
        ticket,
        "agent",
        "message",
        text,
        agent_id=agent_id,
        channel=channel or ticket.channel,
        phrase_id=phrase.id if phrase else None,
        warnings=json.dumps([w.to_dict() for w in warnings], ensure_ascii=False) if warnings else None,
    )
    session.add(message)
    ticket.updated_wall_at = ctx.wall_now
    if phrase is not None:
        phrases.count_use(session, ctx, phrase, agent_id)
    session.flush()
    publish_ticket_event(
        session,
        "message.replied",
        ticket,
        message_id=message.id,
        agent_id=agent_id,
        auto=False,
        channel=message.channel,
        reply_seconds=reply_seconds,
        phrase_id=message.phrase_id,
        replied_at=ctx.wall_now,
    )
    if await_buyer:
        lifecycle.change_status(session, ctx, policy, ticket, PENDING, agent_id=agent_id)
    return message, warnings


def _reply_text(
    session: Session, ticket: Ticket, facts: OrderFacts | None, body: str | None, phrase_id: int | None
) -> tuple[str, Phrase | None]:
    """The reply's text: the phrase filled from the ticket's order (if one is used), then the agent's words."""
    phrase = None
    if phrase_id is not None:
        phrase = phrases.get(session, ticket.shop_id, phrase_id)
        filled = phrases.fill(phrase.body, ticket, facts)
        body = filled if not body else f"{filled}\n{body}"
    return check_body(body), phrase


def _take(session: Session, ctx: ShopContext, ticket: Ticket, agent_id: str) -> None:
    """Replying to a waiting ticket claims it; another agent's ticket is theirs to answer (409)."""
    if ticket.assignee_id is None:
        claim(session, ctx, ticket, agent_id)
    elif ticket.assignee_id != agent_id:
        raise Conflict(
            "another agent holds this ticket; ask them to transfer it",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}"]},
            assignee_id=ticket.assignee_id,
        )


def _answer_round(session: Session, ctx: ShopContext, ticket: Ticket, agent_id: str) -> float | None:
    """End the round the buyer is waiting in (if any): wall seconds since its oldest message, credited to the agent."""
    reply_seconds = None
    if ticket.awaiting_reply:
        current = session.scalar(
            select(ReplyRound)
            .where(
                ReplyRound.shop_id == ticket.shop_id,
                ReplyRound.ticket_id == ticket.id,
                ReplyRound.replied_wall_at.is_(None),
            )
            .order_by(ReplyRound.seq.desc())
        )
        if current is not None:
            reply_seconds = (ctx.wall_now - current.started_wall_at).total_seconds()
            current.replied_wall_at = ctx.wall_now
            current.reply_seconds = reply_seconds
            current.agent_id = agent_id
            if current.is_first:
                ticket.first_replied_wall_at = ctx.wall_now
                ticket.first_response_seconds = reply_seconds
                ticket.served_by = agent_id
        ticket.awaiting_reply = False
    if ticket.first_replied_wall_at is None and ticket.served_by is None:
        ticket.served_by = agent_id  # a task the agent acted on first, without a buyer message to answer
    return reply_seconds


def add_note(session: Session, ctx: ShopContext, ticket: Ticket, agent_id: str, body: str) -> Message:
    """An internal note: colleagues see it, the buyer never does; it answers nothing."""
    text = check_body(body)
    get_agent(session, ticket.shop_id, agent_id)
    message = new_message(ctx, ticket, "agent", "note", text, agent_id=agent_id, channel="internal")
    session.add(message)
    ticket.updated_wall_at = ctx.wall_now
    session.flush()
    return message
