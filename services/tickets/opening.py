"""Opening a ticket: a buyer's first message (welcomed at once by the shop's auto first reply) or a task the world
calls for (an unpaid order, a parcel in trouble, a refund, a dispute, a bad review, a care greeting). Either way it
is routed straight away (care items wait to be claimed, see ``routing``). A ticket about a blacklisted buyer's order
shows the blacklist warning from its start."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.orm import Session

from services.tickets import routing, sla
from services.tickets.events import publish_ticket_event
from services.tickets.messages import auto_reply, buyer_message, check_body, check_channel
from services.tickets.models import OrderFacts, Ticket
from services.tickets.policy import Policy
from services.tickets.system_events import BLACKLISTED_BUYER, Line
from services.tickets.system_lines import add_line
from services.tickets.ticket_state import NEW
from shoplab.contracts.tickets import KINDS
from shoplab.errors import InvalidInput
from shoplab.shops.context import ShopContext

PRE_SALE, AFTER_SALE = "pre_sale", "after_sale"
# The skill group of each kind: after-sale unless listed; 催付 and care (greetings, win-backs: the shop reaching out
# to sell again) are the pre-sale team's work on most courses.
KIND_GROUP: dict[str, str] = {kind: AFTER_SALE for kind in KINDS} | {
    "pre_sale": PRE_SALE,
    "payment_reminder": PRE_SALE,
    "care": PRE_SALE,
}
# Kinds without a resolution target: a care item is outreach the shop chooses to do in quiet time; its only deadline
# is its expiry. A buyer who answers one is owed a reply like any buyer (the response targets then run).
UNTIMED_KINDS = frozenset({"care"})


def open_ticket(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
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
) -> Ticket:
    """Open a ticket; with ``body`` it is a buyer's first message (welcomed by the auto first reply), else a task."""
    if kind not in KIND_GROUP:
        raise InvalidInput("unknown ticket kind", {"kind": [f"one of {', '.join(KINDS)}"]})
    check_channel(channel)
    text = check_body(body) if body is not None else None
    ticket = _new_ticket(ctx, policy, kind, channel, language, subject, source, source_ref)
    facts = _link_order(session, ticket, customer_id, buyer_name, order_id, order_no)
    if kind not in UNTIMED_KINDS:
        sla.start(ticket, ctx.shop_now, policy.targets)
    session.add(ticket)
    session.flush()
    publish_ticket_event(
        session,
        "ticket.opened",
        ticket,
        source=source,
        channel=channel,
        language=ticket.language,
        opened_at=ctx.wall_now,
    )
    if text is not None:
        buyer_message(session, ctx, policy, ticket, text, channel=channel, language=ticket.language)
        welcome = policy.welcome_for(ticket.language)
        if welcome:
            auto_reply(session, ctx, ticket, welcome)
    warning = kept_warning(facts)
    if warning is not None:
        add_line(session, ctx, ticket, warning)
    routing.route(session, ctx, policy, ticket)
    return ticket


def kept_warning(facts: OrderFacts | None) -> Line | None:
    """The order's blacklist warning (``flagged_orders``), as a line; without its code when kept before codes."""
    if facts is None or not facts.blacklist_warning:
        return None
    if not facts.blacklist_params:
        return Line(facts.blacklist_warning, None)
    return Line(facts.blacklist_warning, BLACKLISTED_BUYER, json.loads(facts.blacklist_params))


def _new_ticket(
    ctx: ShopContext,
    policy: Policy,
    kind: str,
    channel: str,
    language: str | None,
    subject: str,
    source: str,
    source_ref: str | None,
) -> Ticket:
    """A new ticket, opened now on both clocks, nothing answered, nothing breached."""
    return Ticket(
        id=uuid.uuid4().hex,
        shop_id=ctx.id,
        kind=kind,
        grp=KIND_GROUP[kind],
        status=NEW,
        subject=subject or "",
        channel=channel,
        language=language or policy.default_language,
        source=source,
        source_ref=source_ref,
        opened_wall_at=ctx.wall_now,
        opened_at=ctx.shop_now,
        updated_wall_at=ctx.wall_now,
        reopen_count=0,
        round_count=0,
        awaiting_reply=False,
        paused_seconds=0.0,
        first_response_breached=False,
        next_response_breached=False,
        resolution_breached=False,
        breach_count=0,
    )


def _link_order(
    session: Session,
    ticket: Ticket,
    customer_id: str | None,
    buyer_name: str | None,
    order_id: str | None,
    order_no: str | None,
) -> OrderFacts | None:
    """The buyer and the order; what the caller does not say comes from the order's facts, when known."""
    facts = session.get(OrderFacts, (ticket.shop_id, order_id)) if order_id else None
    if facts is not None:
        order_no = order_no or facts.order_no
        customer_id = customer_id or facts.customer_id
        buyer_name = buyer_name or facts.buyer_name
    ticket.customer_id = customer_id
    ticket.buyer_name = buyer_name
    ticket.order_id = order_id
    ticket.order_no = order_no
    return facts
