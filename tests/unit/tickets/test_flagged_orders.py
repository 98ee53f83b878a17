"""A blacklisted buyer's new order (crm's ``customer.flagged_order``): a warning on what is open about the order and
the buyer, a task to decide before shipping, and the same warning on every ticket about the order opened later."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.tickets.models import Ticket
from services.tickets.opening import open_ticket
from services.tickets.views import messages_of
from tests.unit.tickets.conftest import T0, at, placed, published, seat, shop_at

REF = {"order_id": "o1", "order_no": "NO-o1", "customer_id": "c1"}
WARNING = ("⚠ blacklisted buyer 李雷: 恶意差评勒索 (blacklisted by a2 on 2026-10-30). New order NO-o1 of 99.00 CNY: "
           "check it before shipping.")  # fmt: skip


def flagged(**extra):
    return {**REF, "customer_name": "李雷", "total": "99.00", "currency": "CNY", "placed_at": T0.isoformat(),
            "reason": "恶意差评勒索", "blacklisted_by": "a2",
            "blacklisted_at": (T0 - timedelta(days=3)).isoformat(), **extra}  # fmt: skip


def tasks(session):
    return session.scalars(select(Ticket).where(Ticket.kind == "flagged_order")).all()


def test_warning_on_open_tickets_and_a_task_for_the_order(session, shop, handle):
    seat(session, "s1", "a1")
    chat = open_ticket(session, *shop_at(session, at(0)), kind="pre_sale", customer_id="c1", body="在吗")
    elsewhere = open_ticket(session, *shop_at(session, at(1)), kind="pre_sale", customer_id="c2", body="有货吗")
    handle("order.placed", placed("o1", "c1"), 2)
    handle("customer.flagged_order", flagged(), 3)
    handle("customer.flagged_order", flagged(), 4)  # a repeat
    assert [m.body for m in messages_of(session, chat) if m.kind == "event"] == [WARNING]
    assert [m.kind for m in messages_of(session, elsewhere)] == ["message", "auto_reply"]
    [task] = tasks(session)
    assert (task.grp, task.status, task.assignee_id, task.order_no, task.buyer_name) == (
        "after_sale", "new", "a1", "NO-o1", "李雷")  # fmt: skip
    assert [m.body for m in messages_of(session, task)] == [WARNING]
    assert [p["kind"] for p in published(session, "ticket.opened")] == ["pre_sale", "pre_sale", "flagged_order"]
    # the order remembers: a later conversation about it shows the warning from its start
    later = open_ticket(session, *shop_at(session, at(10)), kind="order", customer_id="c1", order_id="o1",
                        body="什么时候发货")  # fmt: skip
    assert [m.body for m in messages_of(session, later) if m.kind == "event"] == [WARNING]


def test_shipping_or_cancelling_the_order_closes_its_task(session, shop, handle):
    handle("customer.flagged_order", flagged(), 1)  # before order.placed: the total comes with the flag
    handle("customer.flagged_order", {**flagged(), "order_id": "o2", "order_no": "NO-o2"}, 2)
    first, second = sorted(tasks(session), key=lambda t: t.order_id)
    assert messages_of(session, first)[0].body == WARNING
    shipped = {**REF, "shipment_id": "sh1", "carrier": "SF", "tracking_no": "SF1403716928374",
               "shipped_at": T0.isoformat()}  # fmt: skip
    handle("order.shipped", shipped, 3)
    handle("order.cancelled", {**REF, "order_id": "o2", "order_no": "NO-o2", "reason": "buyer_request",
                               "cancelled_at": T0.isoformat()}, 4)  # fmt: skip
    assert [(t.status, t.close_reason) for t in (first, second)] == [("closed", "order_shipped"),
                                                                     ("closed", "order_cancelled")]  # fmt: skip


def test_an_order_already_cancelled_or_shipped_gets_no_task_but_its_tickets_are_warned(session, shop, handle):
    handle("order.cancelled", {**REF, "reason": "unpaid_timeout", "cancelled_at": T0.isoformat()})
    handle("customer.flagged_order", flagged(), 1)
    assert tasks(session) == []
    later = open_ticket(session, *shop_at(session, at(5)), kind="order", customer_id="c1", order_id="o1",
                        body="为什么取消了")  # fmt: skip
    assert [m.body for m in messages_of(session, later) if m.kind == "event"] == [WARNING]
