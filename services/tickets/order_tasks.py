"""What the queue does with the orders service's events: keep the order's facts, open the tasks the world calls
for (remind, track, refund, return), close the ones it has overtaken, and credit inquiry conversions.

Events may arrive in any order: every fact is kept whichever comes first, and a task is not opened for something
already settled (``order.paid`` before ``payment.reminder_due`` opens nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets import conversations
from services.tickets.models import OrderFacts, Ticket
from shoplab.eventbus.envelope import Event

OPEN_TASK = ("new", "open", "pending")


def _now() -> datetime:
    return datetime.now(UTC)


def facts_for(session: Session, shop_id: str, data: dict[str, Any]) -> OrderFacts:
    facts = session.get(OrderFacts, (shop_id, data["order_id"]))
    if facts is None:
        facts = OrderFacts(
            shop_id=shop_id, order_id=data["order_id"], order_no=data["order_no"], customer_id=data["customer_id"]
        )
        session.add(facts)
    facts.updated_at = _now()
    return facts


def _task(session: Session, shop_id: str, source_ref: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.shop_id == shop_id, Ticket.source_ref == source_ref))


def _open_task(
    session: Session, event: Event, facts: OrderFacts, kind: str, source_ref: str, subject: str, detail: str
) -> Ticket:
    existing = _task(session, event.shop_id, source_ref)
    if existing is not None:
        conversations.add_system_event(session, existing, detail)
        return existing
    ticket = conversations.open_ticket(
        session,
        event.shop_id,
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
    conversations.add_system_event(session, ticket, detail)
    return ticket


def _close_tasks(session: Session, shop_id: str, order_id: str, kind: str, reason: str) -> int:
    tasks = session.scalars(
        select(Ticket).where(
            Ticket.shop_id == shop_id,
            Ticket.order_id == order_id,
            Ticket.kind == kind,
            Ticket.status.in_((*OPEN_TASK, "resolved")),
        )
    ).all()
    for ticket in tasks:
        conversations.add_system_event(session, ticket, f"closed automatically: {reason}")
        conversations.close(session, ticket, reason)
    return len(tasks)


def on_order_placed(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.buyer_name = data["buyer"]["name"]
    facts.total = data["total"]
    facts.currency = data["currency"]
    facts.placed_at = event.occurred_at
    credit_conversion(session, facts)


def on_order_paid(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.paid_at = event.occurred_at
    facts.paid_amount = data["amount"]
    facts.currency = facts.currency or data["currency"]
    _close_tasks(session, event.shop_id, data["order_id"], "payment_reminder", "order_paid")
    credit_conversion(session, facts)


def on_order_cancelled(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.cancelled_at = event.occurred_at
    _close_tasks(session, event.shop_id, data["order_id"], "payment_reminder", "order_cancelled")


def on_reminder_due(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.total = facts.total if facts.total is not None else data["amount"]
    facts.currency = facts.currency or data["currency"]
    if facts.paid_at or facts.cancelled_at or facts.reminder_sent_at:
        return  # the world already moved on: nothing stale enters the queue
    detail = (
        f"unpaid order {facts.order_no}: {data['amount']} {data['currency']}, pay by {data['pay_by']:%Y-%m-%d %H:%M}"
    )
    if data.get("failure_reason"):
        detail += f" (payment failed: {data['failure_reason']})"
    _open_task(
        session, event, facts, "payment_reminder", f"payment_reminder:{facts.order_id}", "催付 unpaid order", detail
    )


def on_reminder_sent(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.reminder_sent_at = event.occurred_at
    _close_tasks(session, event.shop_id, data["order_id"], "payment_reminder", "reminder_sent")


def on_order_shipped(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.carrier = data["carrier"]
    facts.tracking_no = data["tracking_no"]


def on_shipment_exception(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.carrier = facts.carrier or data["carrier"]
    facts.tracking_no = facts.tracking_no or data["tracking_no"]
    if facts.delivered_at is not None:
        return  # delivered already (events crossed): the parcel is no longer in trouble
    detail = f"{data['kind']} — {data['carrier']} {data['tracking_no']}: {data.get('detail') or ''}".rstrip(": ")
    _open_task(
        session, event, facts, "logistics", f"logistics:{data['shipment_id']}", f"查件 parcel {data['kind']}", detail
    )


def on_order_delivered(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    facts.delivered_at = data["delivered_at"]
    _close_tasks(session, event.shop_id, data["order_id"], "logistics", "delivered")


def on_refund_requested(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    kind_zh = "退货退款" if data["kind"] == "return_and_refund" else "仅退款"
    detail = f"refund requested ({data['kind']}): {data['amount']} {data['currency']}, reason {data['reason']}"
    if data.get("note"):
        detail += f" — {data['note']}"
    _open_task(session, event, facts, "refund", f"refund:{data['refund_id']}", f"{kind_zh} refund request", detail)


def on_return_requested(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id, data)
    detail = f"return requested ({data['status']})"
    _open_task(session, event, facts, "return", f"return:{data['return_id']}", "退货 return request", detail)


def credit_conversion(session: Session, facts: OrderFacts) -> int:
    """询单转化: a buyer's pre-sale tickets opened before they ordered convert when the order is paid.

    "Before" is on the wall clock, like the tickets' own times: the order's ``order.placed`` moment, or its payment
    when ``order.placed`` has not arrived yet.
    """
    if facts.paid_at is None:
        return 0
    bought_at = facts.placed_at or facts.paid_at
    tickets = session.scalars(
        select(Ticket).where(
            Ticket.shop_id == facts.shop_id,
            Ticket.customer_id == facts.customer_id,
            Ticket.kind == "pre_sale",
            Ticket.converted_at.is_(None),
            Ticket.opened_at <= bought_at,
        )
    ).all()
    for ticket in tickets:
        ticket.converted_at = facts.paid_at
        ticket.converted_order_id = facts.order_id
        ticket.converted_amount = Decimal(facts.paid_amount) if facts.paid_amount is not None else None
    return len(tickets)


HANDLERS = {
    "order.placed": on_order_placed,
    "order.paid": on_order_paid,
    "order.cancelled": on_order_cancelled,
    "payment.reminder_due": on_reminder_due,
    "payment.reminder_sent": on_reminder_sent,
    "order.shipped": on_order_shipped,
    "shipment.exception": on_shipment_exception,
    "order.delivered": on_order_delivered,
    "refund.requested": on_refund_requested,
    "return.requested": on_return_requested,
}
