"""A blacklisted buyer's new order (crm's ``customer.flagged_order``): the student must see it before shipping.

What the queue does, and why both:

- **A warning on what is open**: a system message on every active ticket of that order or of that buyer (the
  pre-sale chat that led to the order is where the student is talking to them now).
- **A task for the order** (kind ``flagged_order``, after-sale, ``source_ref "flagged_order:<order_id>"``, routed
  like any task), unless the order is already cancelled or shipped: the decision (ship, or cancel with the buyer)
  belongs to the order, and a warning on a chat or a payment reminder would vanish when that closes. The task closes
  itself when the order is shipped (``order_shipped``: whoever shipped it decided) or cancelled
  (``order_cancelled``).
- **The order remembers** (``order_facts.blacklist_warning``): every ticket opened about it later (the buyer asking
  where the parcel is, a refund) shows the same warning from its start.

A repeated event changes nothing (the order already carries its warning). The blacklist being lifted later does not
take the warning off an order placed while it stood.
"""

from __future__ import annotations

import json

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.tickets.models import OrderFacts, Ticket
from services.tickets.opening import open_ticket
from services.tickets.order_tasks import facts_for
from services.tickets.policy import context_and_policy
from services.tickets.system_events import BLACKLISTED_BUYER, Line, moment
from services.tickets.system_lines import add_line
from services.tickets.ticket_state import HELD
from shoplab.contracts.money import wire
from shoplab.eventbus.envelope import Event

KIND = "flagged_order"


def blacklist_warning(data: dict, facts: OrderFacts) -> Line:
    """The warning every ticket about the order shows."""
    who = data.get("customer_name") or data["customer_id"]
    amount = f" of {wire(facts.total_cents)} {facts.currency or ''}".rstrip() if facts.total_cents is not None else ""
    text = (
        f"⚠ blacklisted buyer {who}: {data['reason']} (blacklisted by {data['blacklisted_by']} on "
        f"{data['blacklisted_at']:%Y-%m-%d}). New order {data['order_no']}{amount}: check it before shipping."
    )
    params = {
        "who": who,
        "reason": data["reason"],
        "blacklisted_by": data["blacklisted_by"],
        "blacklisted_at": moment(data["blacklisted_at"]),
        "order_no": data["order_no"],
        "amount": wire(facts.total_cents) if facts.total_cents is not None else None,
        "currency": facts.currency,
    }
    return Line(text, BLACKLISTED_BUYER, params)


def on_flagged_order(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    if facts.blacklist_warning is not None:
        return  # a repeat
    facts.buyer_name = facts.buyer_name or data.get("customer_name")
    if facts.total_cents is None:
        facts.total_cents, facts.currency = data.get("total"), facts.currency or data.get("currency")
    warning = blacklist_warning(data, facts)
    facts.blacklist_warning, facts.blacklist_params = warning.text, json.dumps(warning.params, ensure_ascii=False)
    ctx, policy = context_and_policy(session, event.shop_id)
    open_tickets = session.scalars(
        select(Ticket)
        .where(
            Ticket.shop_id == event.shop_id,
            Ticket.status.in_(HELD),
            or_(Ticket.order_id == data["order_id"], Ticket.customer_id == data["customer_id"]),
        )
        .order_by(Ticket.opened_wall_at)
    ).all()
    for ticket in open_tickets:
        add_line(session, ctx, ticket, warning)
    if facts.cancelled_wall_at is not None or facts.tracking_no is not None:
        return  # cancelled or on its way already: nothing left to decide
    open_ticket(  # its first message is the order's warning (``opening``)
        session,
        ctx,
        policy,
        kind=KIND,
        channel="platform_message",
        customer_id=data["customer_id"],
        buyer_name=facts.buyer_name,
        order_id=data["order_id"],
        order_no=data["order_no"],
        subject=f"黑名单买家下单 blacklisted buyer's order {data['order_no']}",
        source=event.type,
        source_ref=f"{KIND}:{data['order_id']}",
    )
