"""What the queue does with the orders service's events: keep the order's facts, open the tasks the world calls
for (remind, track, refund, return), close the ones it has overtaken, and credit inquiry conversions.

Events may arrive in any order: every fact is kept whichever comes first, and a task is not opened for something
already settled (``order.paid`` before ``payment.reminder_due`` opens nothing). Facts need no shop copy; the shop's
context (and its queue policy) is built once, only when the event opens or closes a ticket — at the moment it is
handled, so a task that waited in a backed-up queue does not enter the agent's queue already overdue.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.models import OrderFacts, Ticket
from services.tickets.opening import open_ticket
from services.tickets.policy import Policy, policy_for
from services.tickets.system_events import (
    PARCEL_EXCEPTION,
    PAYMENT_REMINDER,
    REFUND_REQUESTED,
    RETURN_REQUESTED,
    Line,
    moment,
)
from services.tickets.system_lines import add_line
from services.tickets.tasks import OVERTAKEN_FROM, close_overtaken, task_for
from shoplab.contracts.money import wire
from shoplab.eventbus.envelope import Event
from shoplab.shops.context import ShopContext, shop_context


def _shop_for(session: Session, event: Event) -> tuple[ShopContext, Policy]:
    ctx = shop_context(session, event.shop_id or "")
    return ctx, policy_for(session, ctx)


def facts_for(session: Session, event: Event) -> OrderFacts:
    """The order's facts, created by whichever of its events arrives first."""
    data = event.payload
    facts = session.get(OrderFacts, (event.shop_id, data["order_id"]))
    if facts is None:
        facts = OrderFacts(
            shop_id=event.shop_id, order_id=data["order_id"], order_no=data["order_no"], customer_id=data["customer_id"]
        )
        session.add(facts)
    facts.updated_wall_at = event.occurred_at
    return facts


def _open_task(
    session: Session, event: Event, facts: OrderFacts, kind: str, source_ref: str, subject: str, detail: Line
) -> Ticket:
    """One task per thing in the world: a later event about the same thing adds to the task already open."""
    ctx, policy = _shop_for(session, event)
    ticket = task_for(session, ctx.id, source_ref)
    if ticket is None:
        ticket = open_ticket(
            session,
            ctx,
            policy,
            kind=kind,
            channel="platform_message",
            customer_id=facts.customer_id,
            buyer_name=facts.buyer_name,
            order_id=facts.order_id,
            order_no=facts.order_no,
            subject=subject,
            source=event.type,
            source_ref=source_ref,
        )
    add_line(session, ctx, ticket, detail)
    return ticket


def _close_tasks(session: Session, event: Event, kind: str, reason: str) -> int:
    tasks = session.scalars(
        select(Ticket).where(
            Ticket.shop_id == event.shop_id,
            Ticket.order_id == event.payload["order_id"],
            Ticket.kind == kind,
            Ticket.status.in_(OVERTAKEN_FROM),
        )
    ).all()
    if not tasks:
        return 0
    return close_overtaken(session, *_shop_for(session, event), tasks, reason)


def on_order_placed(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    facts.buyer_name = data["buyer"]["name"]
    facts.total_cents = data["total"]
    facts.currency = data["currency"]
    facts.placed_wall_at = event.occurred_at
    credit_conversion(session, facts)


def on_order_paid(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    facts.paid_wall_at = event.occurred_at
    facts.paid_amount_cents = data["amount"]
    facts.currency = facts.currency or data["currency"]
    _close_tasks(session, event, "payment_reminder", "order_paid")
    credit_conversion(session, facts)


def on_order_cancelled(session: Session, event: Event) -> None:
    facts = facts_for(session, event)
    facts.cancelled_wall_at = event.occurred_at
    _close_tasks(session, event, "payment_reminder", "order_cancelled")
    _close_tasks(session, event, "flagged_order", "order_cancelled")


def on_reminder_due(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    facts.total_cents = facts.total_cents if facts.total_cents is not None else data["amount"]
    facts.currency = facts.currency or data["currency"]
    if facts.paid_wall_at or facts.cancelled_wall_at or facts.reminder_sent_wall_at:
        return  # the world already moved on: nothing stale enters the queue
    text = f"unpaid order {facts.order_no}: {wire(data['amount'])} {data['currency']}, "
    text += f"pay by {data['pay_by']:%Y-%m-%d %H:%M}"
    if data.get("failure_reason"):
        text += f" (payment failed: {data['failure_reason']})"
    params = {
        "order_no": facts.order_no,
        "amount": wire(data["amount"]),
        "currency": data["currency"],
        "pay_by": moment(data["pay_by"]),
        "failure_reason": data.get("failure_reason"),
    }
    detail = Line(text, PAYMENT_REMINDER, params)
    _open_task(
        session, event, facts, "payment_reminder", f"payment_reminder:{facts.order_id}", "催付 unpaid order", detail
    )


def on_reminder_sent(session: Session, event: Event) -> None:
    facts = facts_for(session, event)
    facts.reminder_sent_wall_at = event.occurred_at
    _close_tasks(session, event, "payment_reminder", "reminder_sent")


def on_order_shipped(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    facts.carrier = data["carrier"]
    facts.tracking_no = data["tracking_no"]
    _close_tasks(session, event, "flagged_order", "order_shipped")  # whoever shipped it decided


def on_shipment_exception(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    facts.carrier = facts.carrier or data["carrier"]
    facts.tracking_no = facts.tracking_no or data["tracking_no"]
    if facts.delivered_at is not None:
        return  # delivered already (events crossed): the parcel is no longer in trouble
    text = f"{data['kind']} — {data['carrier']} {data['tracking_no']}: {data.get('detail') or ''}".rstrip(": ")
    params = {name: data.get(name) for name in ("kind", "carrier", "tracking_no", "detail")}
    detail = Line(text, PARCEL_EXCEPTION, params)
    _open_task(
        session, event, facts, "logistics", f"logistics:{data['shipment_id']}", f"查件 parcel {data['kind']}", detail
    )


def on_order_delivered(session: Session, event: Event) -> None:
    facts = facts_for(session, event)
    facts.delivered_at = event.payload["delivered_at"]  # shop time, as the orders service tells it
    _close_tasks(session, event, "logistics", "delivered")


def on_refund_requested(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    kind_zh = "退货退款" if data["kind"] == "return_and_refund" else "仅退款"
    text = f"refund requested ({data['kind']}): {wire(data['amount'])} {data['currency']}, reason {data['reason']}"
    if data.get("note"):
        text += f" — {data['note']}"
    params = {
        "refund_kind": data["kind"],
        "amount": wire(data["amount"]),
        "currency": data["currency"],
        "reason": data["reason"],
        "note": data.get("note"),
    }
    detail = Line(text, REFUND_REQUESTED, params)
    _open_task(session, event, facts, "refund", f"refund:{data['refund_id']}", f"{kind_zh} refund request", detail)


def on_return_requested(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event)
    detail = Line(f"return requested ({data['status']})", RETURN_REQUESTED, {"status": data["status"]})
    _open_task(session, event, facts, "return", f"return:{data['return_id']}", "退货 return request", detail)


def credit_conversion(session: Session, facts: OrderFacts) -> int:
    """询单转化: a buyer's pre-sale tickets opened before they ordered convert when the order is paid.

    "Before" is on the wall clock, like the tickets' opening: the order's ``order.placed`` moment, or its payment
    when ``order.placed`` has not arrived yet.
    """
    if facts.paid_wall_at is None:
        return 0
    bought_wall_at = facts.placed_wall_at or facts.paid_wall_at
    tickets = session.scalars(
        select(Ticket).where(
            Ticket.shop_id == facts.shop_id,
            Ticket.customer_id == facts.customer_id,
            Ticket.kind == "pre_sale",
            Ticket.converted_wall_at.is_(None),
            Ticket.opened_wall_at <= bought_wall_at,
        )
    ).all()
    for ticket in tickets:
        ticket.converted_wall_at = facts.paid_wall_at
        ticket.converted_order_id = facts.order_id
        ticket.converted_amount_cents = facts.paid_amount_cents
    return len(tickets)
