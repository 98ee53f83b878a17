"""Tickets and their conversations: opening, buyer messages, replies, auto first replies, notes, the status machine,
CSAT — and the per-round reply facts the metrics are aggregated from.

Statuses: new (no human reply yet) → open → pending (on the buyer; SLA paused) → resolved → closed.
A buyer writing to a resolved ticket reopens it; a closed ticket takes no more messages.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets import phrases, routing, sla
from services.tickets.content_rules import Violation, screen_reply
from services.tickets.events import publish_ticket_event
from services.tickets.models import Message, OrderFacts, ReplyRound, Ticket
from services.tickets.policy import policy_of
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.shops.replica import get_shop

KIND_GROUP = {
    "pre_sale": "pre_sale",
    "payment_reminder": "pre_sale",  # 催付 is the pre-sale team's work on most courses
    "order": "after_sale",
    "logistics": "after_sale",
    "refund": "after_sale",
    "return": "after_sale",
    "dispute": "after_sale",
    "review_follow_up": "after_sale",
    "complaint": "after_sale",
}
KINDS = tuple(KIND_GROUP)
STATUSES = ("new", "open", "pending", "resolved", "closed")
CHANNELS = ("chat", "platform_message", "email")
MAX_BODY = 2000


def _now() -> datetime:
    return datetime.now(UTC)


def get_ticket(session: Session, shop_id: str, ticket_id: str, *, for_update: bool = False) -> Ticket:
    stmt = select(Ticket).where(Ticket.shop_id == shop_id, Ticket.id == ticket_id)
    if for_update:
        stmt = stmt.with_for_update()
    ticket = session.scalar(stmt)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id} in shop {shop_id}", {"ticket_id": ["unknown ticket"]})
    return ticket


def _check_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInput("the message is empty", {"body": ["must not be empty"]})
    if len(text) > MAX_BODY:
        raise InvalidInput("the message is too long", {"body": [f"at most {MAX_BODY} characters, got {len(text)}"]})
    return text


def open_ticket(
    session: Session,
    shop_id: str,
    *,
    kind: str,
    channel: str = "chat",
    language: str | None = None,
    customer_id: str | None = None,
    buyer_name: str | None = None,
    order_id: str | None = None,
    order_no: str | None = None,
    subject: str = "",
    body: str | None = None,
    source: str = "buyer",
    source_ref: str | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Open a ticket; with ``body`` it is a buyer's first message (welcomed by the auto first reply), else a task."""
    if kind not in KIND_GROUP:
        raise InvalidInput("unknown ticket kind", {"kind": [f"one of {', '.join(KINDS)}"]})
    if channel not in CHANNELS:
        raise InvalidInput("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})
    text = _check_body(body) if body is not None else None
    at = at or _now()
    shop = get_shop(session, shop_id)
    policy = policy_of(session, shop_id)
    facts = session.get(OrderFacts, (shop_id, order_id)) if order_id else None
    if facts is not None:
        order_no = order_no or facts.order_no
        customer_id = customer_id or facts.customer_id
        buyer_name = buyer_name or facts.buyer_name
    sim_now = shop.clock.now(at)
    ticket = Ticket(
        id=uuid.uuid4().hex,
        shop_id=shop_id,
        kind=kind,
        grp=KIND_GROUP[kind],
        status="new",
        subject=subject or "",
        channel=channel,
        language=language or policy.default_language,
        source=source,
        source_ref=source_ref,
        customer_id=customer_id,
        buyer_name=buyer_name,
        order_id=order_id,
        order_no=order_no,
        opened_at=at,
        opened_sim_at=sim_now,
        updated_at=at,
        reopen_count=0,
        round_count=0,
        awaiting_reply=False,
        paused_seconds=0.0,
        first_response_breached=False,
        next_response_breached=False,
        resolution_breached=False,
        breach_count=0,
    )
    sla.start(ticket, sim_now, policy.targets)
    session.add(ticket)
    session.flush()
    publish_ticket_event(
        session, "ticket.opened", ticket, source=source, channel=channel, language=ticket.language, opened_at=at
    )
    if text is not None:
        _buyer_message(session, ticket, text, channel, ticket.language, at)
        welcome = policy.welcome_for(ticket.language)
        if welcome:
            _auto_reply(session, ticket, welcome, at)
    routing.route(session, ticket, at=at)
    return ticket


def add_system_event(session: Session, ticket: Ticket, text: str, at: datetime | None = None) -> Message:
    """What the world told the ticket (an order event), shown to the agent, never to the buyer."""
    at = at or _now()
    message = _system_message(session, ticket, "event", text, at)
    ticket.updated_at = at
    return message


def _system_message(session: Session, ticket: Ticket, kind: str, text: str, at: datetime) -> Message:
    message = Message(
        shop_id=ticket.shop_id,
        ticket_id=ticket.id,
        author="system",
        kind=kind,
        body=text,
        channel=ticket.channel,
        language=ticket.language,
        created_at=at,
    )
    session.add(message)
    session.flush()
    return message


def buyer_writes(
    session: Session,
    ticket: Ticket,
    body: str,
    *,
    channel: str | None = None,
    language: str | None = None,
    at: datetime | None = None,
) -> Message:
    text = _check_body(body)
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})
    if ticket.status == "closed":
        raise Conflict(
            "the conversation is closed; the buyer opens a new one",
            {"ticket_id": ["ticket is closed"]},
            status="closed",
        )
    at = at or _now()
    reopened = False
    sim_now = get_shop(session, ticket.shop_id).clock.now(at)
    policy = policy_of(session, ticket.shop_id)
    if ticket.status == "resolved":
        reopened = True
        ticket.status = "open"
        ticket.reopen_count = (ticket.reopen_count or 0) + 1
        ticket.resolved_at = None
        ticket.resolution_seconds = None
        ticket.resolved_by = None
        sla.on_reopen(ticket, sim_now, policy.targets)
        _status_event(session, ticket, "open", reason="reopened", at=at)
    elif ticket.status == "pending":
        sla.resume(ticket, sim_now)
        ticket.status = "open"
        _status_event(session, ticket, "open", reason="buyer_replied", at=at)
    message = _buyer_message(
        session, ticket, text, channel or ticket.channel, language or ticket.language, at, reopened
    )
    if ticket.assignee_id is not None:
        holder = routing.get_agent(session, ticket.shop_id, ticket.assignee_id)
        if holder.status == "offline":
            routing.hand_over(session, ticket, None, "returned", at=at)
    routing.route(session, ticket, at=at)
    return message


def _buyer_message(
    session: Session,
    ticket: Ticket,
    text: str,
    channel: str,
    language: str,
    at: datetime,
    reopened: bool = False,
) -> Message:
    if not ticket.awaiting_reply:
        # A new round starts at the oldest unanswered buyer message; later ones before a reply join it.
        ticket.round_count = (ticket.round_count or 0) + 1
        session.add(
            ReplyRound(
                shop_id=ticket.shop_id,
                ticket_id=ticket.id,
                grp=ticket.grp,
                seq=ticket.round_count,
                is_first=ticket.round_count == 1,
                agent_id=ticket.assignee_id,
                started_at=at,
            )
        )
        ticket.awaiting_reply = True
        sim_now = get_shop(session, ticket.shop_id).clock.now(at)
        sla.on_buyer_round(ticket, sim_now, policy_of(session, ticket.shop_id).targets)
    message = Message(
        shop_id=ticket.shop_id,
        ticket_id=ticket.id,
        author="buyer",
        kind="message",
        body=text,
        channel=channel,
        language=language,
        created_at=at,
    )
    session.add(message)
    ticket.updated_at = at
    session.flush()
    publish_ticket_event(
        session,
        "message.received",
        ticket,
        message_id=message.id,
        channel=channel,
        language=language,
        received_at=at,
        reopened=reopened,
    )
    return message


def _auto_reply(session: Session, ticket: Ticket, text: str, at: datetime) -> Message:
    """首句回复: sent for the buyer to see at once; it closes no round and is never a human reply."""
    message = _system_message(session, ticket, "auto_reply", text, at)
    publish_ticket_event(
        session,
        "message.replied",
        ticket,
        message_id=message.id,
        agent_id=None,
        auto=True,
        channel=ticket.channel,
        reply_seconds=None,
        replied_at=at,
    )
    return message


def agent_replies(
    session: Session,
    ticket: Ticket,
    agent_id: str,
    body: str | None = None,
    *,
    phrase_id: int | None = None,
    channel: str | None = None,
    await_buyer: bool = False,
    at: datetime | None = None,
) -> tuple[Message, list[Violation]]:
    """A human reply, checked against the platform's rules first; it answers the round the buyer is waiting in."""
    if ticket.status == "closed":
        raise Conflict(
            "the ticket is closed", {"ticket_id": ["ticket is closed; no reply can be sent"]}, status="closed"
        )
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})
    routing.get_agent(session, ticket.shop_id, agent_id)
    phrase = None
    if phrase_id is not None:
        phrase = phrases.get(session, ticket.shop_id, phrase_id)
        facts = session.get(OrderFacts, (ticket.shop_id, ticket.order_id)) if ticket.order_id else None
        filled = phrases.fill(phrase.body, ticket, facts)
        body = filled if not body else f"{filled}\n{body}"
    text = _check_body(body)
    warnings = screen_reply(text, policy_of(session, ticket.shop_id).forbidden_content)
    at = at or _now()
    if ticket.assignee_id is None:
        routing.claim(session, ticket, agent_id, at=at)
    elif ticket.assignee_id != agent_id:
        raise Conflict(
            "another agent holds this ticket; ask them to transfer it",
            {"agent_id": [f"ticket is held by {ticket.assignee_id}"]},
            assignee_id=ticket.assignee_id,
        )
    sim_now = get_shop(session, ticket.shop_id).clock.now(at)
    for target, due in sla.late_on_reply(ticket, sim_now):
        sla.record_breach(session, ticket, target, due, sim_now)
    reply_seconds = None
    if ticket.awaiting_reply:
        current = session.scalar(
            select(ReplyRound)
            .where(
                ReplyRound.shop_id == ticket.shop_id,
                ReplyRound.ticket_id == ticket.id,
                ReplyRound.replied_at.is_(None),
            )
            .order_by(ReplyRound.seq.desc())
        )
        if current is not None:
            reply_seconds = (at - current.started_at).total_seconds()
            current.replied_at = at
            current.reply_seconds = reply_seconds
            current.agent_id = agent_id
            if current.is_first:
                ticket.first_replied_at = at
                ticket.first_response_seconds = reply_seconds
                ticket.served_by = agent_id
        ticket.awaiting_reply = False
    if ticket.first_replied_at is None and ticket.served_by is None:
        ticket.served_by = agent_id  # a task the agent acted on first, without a buyer message to answer
    if ticket.status == "new":
        ticket.status = "open"
    message = Message(
        shop_id=ticket.shop_id,
        ticket_id=ticket.id,
        author="agent",
        kind="message",
        agent_id=agent_id,
        body=text,
        channel=channel or ticket.channel,
        language=ticket.language,
        created_at=at,
        phrase_id=phrase.id if phrase else None,
        warnings=json.dumps([w.to_dict() for w in warnings], ensure_ascii=False) if warnings else None,
    )
    session.add(message)
    ticket.updated_at = at
    if phrase is not None:
        phrases.count_use(session, phrase, agent_id, at)
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
        replied_at=at,
    )
    if await_buyer:
        change_status(session, ticket, "pending", agent_id=agent_id, at=at)
    return message, warnings


def add_note(session: Session, ticket: Ticket, agent_id: str, body: str, at: datetime | None = None) -> Message:
    """An internal note: colleagues see it, the buyer never does; it answers nothing."""
    text = _check_body(body)
    routing.get_agent(session, ticket.shop_id, agent_id)
    at = at or _now()
    message = Message(
        shop_id=ticket.shop_id,
        ticket_id=ticket.id,
        author="agent",
        kind="note",
        agent_id=agent_id,
        body=text,
        channel="internal",
        language=ticket.language,
        created_at=at,
    )
    session.add(message)
    ticket.updated_at = at
    session.flush()
    return message


ALLOWED = {
    "pending": ("new", "open"),
    "open": ("pending",),
    "resolved": ("new", "open", "pending"),
    "closed": ("new", "open", "pending", "resolved"),
}


def change_status(
    session: Session,
    ticket: Ticket,
    status: str,
    *,
    agent_id: str | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> Ticket:
    if status not in ALLOWED:
        raise InvalidInput("unknown target status", {"status": [f"one of {', '.join(ALLOWED)}"]})
    if ticket.status not in ALLOWED[status]:
        raise Conflict(
            f"a {ticket.status} ticket cannot become {status}",
            {"status": [f"not allowed from {ticket.status}"]},
            current_status=ticket.status,
        )
    if agent_id is not None:
        routing.get_agent(session, ticket.shop_id, agent_id)
    at = at or _now()
    sim_now = get_shop(session, ticket.shop_id).clock.now(at)
    if status == "pending":
        sla.pause(ticket, sim_now)
        ticket.status = "pending"
        _status_event(session, ticket, "pending", agent_id=agent_id, reason=reason or "awaiting_buyer", at=at)
    elif status == "open":
        sla.resume(ticket, sim_now)
        ticket.status = "open"
        _status_event(session, ticket, "open", agent_id=agent_id, reason=reason, at=at)
    elif status == "resolved":
        sla.resume(ticket, sim_now)
        for target, due in sla.late_on_resolve(ticket, sim_now):
            sla.record_breach(session, ticket, target, due, sim_now)
        ticket.status = "resolved"
        ticket.resolved_at = at
        ticket.resolution_seconds = (at - ticket.opened_at).total_seconds()
        ticket.resolved_by = agent_id or ticket.assignee_id
        ticket.next_response_due = None
        session.flush()
        publish_ticket_event(
            session,
            "ticket.resolved",
            ticket,
            agent_id=ticket.resolved_by,
            resolution_seconds=ticket.resolution_seconds,
            resolved_at=at,
        )
        routing.fill_queue(session, ticket.shop_id, at=at)
    else:
        close(session, ticket, reason or "agent", at=at)
    ticket.updated_at = at
    return ticket


def close(session: Session, ticket: Ticket, reason: str, at: datetime | None = None) -> Ticket:
    """Closed for good: by an agent, or because the world overtook the task (paid, delivered, ...)."""
    at = at or _now()
    sim_now = get_shop(session, ticket.shop_id).clock.now(at)
    sla.resume(ticket, sim_now)
    held = ticket.status in routing.HELD
    ticket.status = "closed"
    ticket.closed_at = at
    ticket.close_reason = reason
    ticket.next_response_due = None
    ticket.updated_at = at
    session.flush()
    publish_ticket_event(session, "ticket.closed", ticket, reason=reason, closed_at=at)
    if held:
        routing.fill_queue(session, ticket.shop_id, at=at)
    return ticket


def rate(session: Session, ticket: Ticket, score: int, comment: str = "", at: datetime | None = None) -> Ticket:
    """CSAT: once, after resolution."""
    if not 1 <= score <= 5:
        raise InvalidInput("score out of range", {"score": ["from 1 to 5"]})
    if ticket.status not in ("resolved", "closed"):
        raise Conflict("only a resolved conversation can be rated", {"ticket_id": [f"ticket is {ticket.status}"]})
    if ticket.rated_at is not None:
        raise Conflict("this conversation was rated already", {"score": ["already rated"]})
    at = at or _now()
    ticket.csat_score = score
    ticket.csat_comment = comment or ""
    ticket.rated_at = at
    session.flush()
    publish_ticket_event(
        session,
        "csat.rated",
        ticket,
        agent_id=ticket.resolved_by or ticket.served_by or ticket.assignee_id,
        score=score,
        comment=comment or "",
        rated_at=at,
    )
    return ticket


def _status_event(
    session: Session,
    ticket: Ticket,
    status: str,
    *,
    agent_id: str | None = None,
    reason: str | None = None,
    at: datetime,
) -> None:
    session.flush()
    publish_ticket_event(
        session, "ticket.status_changed", ticket, status=status, agent_id=agent_id, reason=reason, changed_at=at
    )


def messages_of(session: Session, ticket: Ticket, audience: str = "agent") -> list[Message]:
    """The conversation; the buyer's view leaves out internal notes and system events."""
    stmt = select(Message).where(Message.shop_id == ticket.shop_id, Message.ticket_id == ticket.id)
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


def message_view(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "author": m.author,
        "kind": m.kind,
        "agent_id": m.agent_id,
        "body": m.body,
        "channel": m.channel,
        "language": m.language,
        "created_at": m.created_at,
        "phrase_id": m.phrase_id,
        "warnings": json.loads(m.warnings) if m.warnings else [],
    }


def view(session: Session, ticket: Ticket, audience: str = "agent") -> dict[str, Any]:
    """A ticket as the agent's screen shows it: messages, the order beside them, SLA due times."""
    facts = session.get(OrderFacts, (ticket.shop_id, ticket.order_id)) if ticket.order_id else None
    data = summary(ticket)
    data["messages"] = [message_view(m) for m in messages_of(session, ticket, audience)]
    if audience == "agent":
        data["rounds"] = [
            {
                "seq": r.seq,
                "started_at": r.started_at,
                "replied_at": r.replied_at,
                "reply_seconds": r.reply_seconds,
                "agent_id": r.agent_id,
            }
            for r in rounds_of(session, ticket)
        ]
        data["order"] = (
            {
                "order_id": facts.order_id,
                "order_no": facts.order_no,
                "amount": facts.total,
                "currency": facts.currency,
                "carrier": facts.carrier,
                "tracking_no": facts.tracking_no,
                "paid": facts.paid_at is not None,
                "cancelled": facts.cancelled_at is not None,
                "delivered": facts.delivered_at is not None,
            }
            if facts
            else None
        )
    return data


def summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "shop_id": ticket.shop_id,
        "kind": ticket.kind,
        "group": ticket.grp,
        "status": ticket.status,
        "subject": ticket.subject,
        "channel": ticket.channel,
        "language": ticket.language,
        "source": ticket.source,
        "customer_id": ticket.customer_id,
        "buyer_name": ticket.buyer_name,
        "order_id": ticket.order_id,
        "order_no": ticket.order_no,
        "assignee_id": ticket.assignee_id,
        "served_by": ticket.served_by,
        "awaiting_reply": ticket.awaiting_reply,
        "opened_at": ticket.opened_at,
        "updated_at": ticket.updated_at,
        "first_replied_at": ticket.first_replied_at,
        "first_response_seconds": ticket.first_response_seconds,
        "resolved_at": ticket.resolved_at,
        "resolution_seconds": ticket.resolution_seconds,
        "closed_at": ticket.closed_at,
        "close_reason": ticket.close_reason,
        "reopen_count": ticket.reopen_count,
        "round_count": ticket.round_count,
        "sla": {
            "first_response_due": ticket.first_response_due,
            "next_response_due": ticket.next_response_due,
            "resolution_due": ticket.resolution_due,
            "paused_since": ticket.paused_at,
            "paused_seconds": ticket.paused_seconds,
            "first_response_breached": ticket.first_response_breached,
            "next_response_breached": ticket.next_response_breached,
            "resolution_breached": ticket.resolution_breached,
            "breaches": ticket.breach_count,
        },
        "csat": {"score": ticket.csat_score, "comment": ticket.csat_comment, "rated_at": ticket.rated_at}
        if ticket.rated_at
        else None,
        "converted": ticket.converted_at is not None,
    }
