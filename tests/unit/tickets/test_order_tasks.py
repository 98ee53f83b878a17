"""Tasks opened and closed by the orders service's events, in any order of arrival."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.tickets.handlers import HANDLERS
from services.tickets.models import OrderFacts, Ticket
from tests.unit.tickets.conftest import T0, at, event, paid, placed

REF = {"order_id": "o1", "order_no": "NO-o1", "customer_id": "c1"}


def due():
    return {**REF, "amount": "99.00", "currency": "CNY", "pay_by": (T0 + timedelta(hours=24)).isoformat()}


def sent():
    return {**REF, "reminder_id": "r1", "channel": "chat", "sent_by": "a1", "sent_at": T0.isoformat()}


def exception(shipment="sh1"):
    return {**REF, "shipment_id": shipment, "carrier": "SF", "tracking_no": "SF123", "kind": "customs_hold",
            "detail": "held at customs", "occurred_at": T0.isoformat()}  # fmt: skip


def delivered(shipment="sh1"):
    return {**REF, "shipment_id": shipment, "delivered_at": T0.isoformat()}


def tasks(session, kind):
    return session.scalars(select(Ticket).where(Ticket.kind == kind)).all()


def handle(session, event_type, payload, t=0):
    HANDLERS[event_type](session, event(event_type, "s1", payload, at(t)))
    session.flush()


def test_reminder_task_opens_and_closes_with_the_reason(session, shop):
    handle(session, "order.placed", placed("o1", "c1"))
    handle(session, "payment.reminder_due", due(), 1)
    [task] = tasks(session, "payment_reminder")
    assert (task.status, task.order_no, task.buyer_name, task.grp) == ("new", "NO-o1", "李雷", "pre_sale")
    handle(session, "payment.reminder_sent", sent(), 2)
    assert (task.status, task.close_reason) == ("closed", "reminder_sent")


def test_paid_or_cancelled_closes_the_reminder_task(session, shop):
    handle(session, "payment.reminder_due", due())
    handle(session, "order.paid", paid("o1", "c1"), 1)
    assert [(t.status, t.close_reason) for t in tasks(session, "payment_reminder")] == [("closed", "order_paid")]
    handle(session, "payment.reminder_due", {**due(), "order_id": "o2", "order_no": "NO-o2"}, 2)
    handle(session, "order.cancelled", {**REF, "order_id": "o2", "order_no": "NO-o2", "reason": "unpaid_timeout",
                                        "cancelled_at": T0.isoformat()}, 3)  # fmt: skip
    assert sorted(t.close_reason for t in tasks(session, "payment_reminder")) == ["order_cancelled", "order_paid"]


def test_paid_before_reminder_due_opens_nothing(session, shop):
    handle(session, "order.paid", paid("o1", "c1"))
    handle(session, "payment.reminder_due", due(), 1)
    assert tasks(session, "payment_reminder") == []


def test_logistics_task_until_delivery_and_delivery_first_opens_nothing(session, shop):
    handle(session, "shipment.exception", exception())
    handle(session, "shipment.exception", {**exception(), "kind": "delay"}, 1)  # same parcel: same task
    [task] = tasks(session, "logistics")
    assert task.status == "new"
    handle(session, "order.delivered", delivered(), 2)
    assert (task.status, task.close_reason) == ("closed", "delivered")
    handle(session, "order.delivered", {**delivered("sh2"), "order_id": "o9", "order_no": "NO-o9"}, 3)
    handle(session, "shipment.exception", {**exception("sh2"), "order_id": "o9", "order_no": "NO-o9"}, 4)
    assert len(tasks(session, "logistics")) == 1


def test_refund_and_return_requests_open_after_sale_tasks(session, shop):
    refund = {**REF, "refund_id": "rf1", "amount": "30.00", "currency": "CNY", "reason": "damaged",
              "kind": "refund_only", "occurred_at": T0.isoformat()}  # fmt: skip
    handle(session, "refund.requested", refund)
    handle(
        session, "return.requested", {**REF, "return_id": "rt1", "status": "requested", "occurred_at": T0.isoformat()}
    )
    assert [(t.kind, t.grp, t.source) for t in tasks(session, "refund")] == [
        ("refund", "after_sale", "refund.requested")
    ]
    assert [t.source_ref for t in tasks(session, "return")] == ["return:rt1"]


def test_shipped_order_fills_carrier_and_tracking(session, shop):
    handle(session, "order.shipped", {**REF, "shipment_id": "sh1", "carrier": "ZTO", "tracking_no": "ZT9",
                                      "shipped_at": T0.isoformat()})  # fmt: skip
    facts = session.get(OrderFacts, ("s1", "o1"))
    assert (facts.carrier, facts.tracking_no) == ("ZTO", "ZT9")
