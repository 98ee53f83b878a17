"""Instructors' injections of what the orders service owns: a failed payment, a lost parcel, a customs hold.

Each reuses the service's own rule (``payments.attempt_payment``, ``tracking.raise_exception``), so an injected
failure or exception is exactly what a real one is, with its events. The order is the one the instructor named
(the gateway has checked it is this shop's), else the newest one in the state the kind needs. The gateway asks the same
rule first (``target``, behind ``GET /shops/<id>/injection-targets/<kind>``) and refuses an injection it would find
nothing for; an order that moved on between that answer and the event (paid, delivered meanwhile) is left as it is,
and the skip reported (``injection.skipped``: the gateway marks the record).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders.models import Order, Shipment
from services.orders.order_state import SHIPPED, UNPAID
from services.orders.payments import attempt_payment
from services.orders.reminders import announce
from services.orders.tracking import raise_exception
from shoplab.injected_text import fill
from shoplab.injection_targets import Target, report_skipped
from shoplab.shops.context import ShopContext


def _unpaid(session: Session, ctx: ShopContext, order_id: str | None) -> Order | None:
    """The named order, or the newest, that is unpaid and may still be paid (a payment can fail only then)."""
    stmt = select(Order).where(Order.shop_id == ctx.id, Order.state == UNPAID, Order.pay_due_at > ctx.shop_now)
    if order_id is not None:
        stmt = stmt.where(Order.id == order_id)
    return session.scalar(stmt.order_by(Order.placed_at.desc(), Order.id.desc()).limit(1))


def _in_transit(session: Session, ctx: ShopContext, order_id: str | None) -> tuple[Order, Shipment] | None:
    """The named order, or the newest, that is shipped with a parcel still in transit, and that parcel (its newest):
    a shipped order whose parcel was lost already has nothing left to lose, so the next one is taken."""
    stmt = (
        select(Order, Shipment)
        .join(Shipment, (Shipment.shop_id == Order.shop_id) & (Shipment.order_id == Order.id))
        .where(Order.shop_id == ctx.id, Order.state == SHIPPED, Shipment.status == "in_transit")
    )
    if order_id is not None:
        stmt = stmt.where(Order.id == order_id)
    newest = Order.placed_at.desc(), Order.id.desc(), Shipment.shipped_at.desc()
    row = session.execute(stmt.order_by(*newest).limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def target(session: Session, ctx: ShopContext, kind: str, order_id: str | None) -> Target | None:
    """The order an injection of ``kind`` would act on now, or None: what the gateway asks before recording one."""
    if kind == "failed_payment":
        order = _unpaid(session, ctx, order_id)
    else:
        found = _in_transit(session, ctx, order_id)
        order = found[0] if found else None
    return Target(kind, order.id, order.order_no) if order is not None else None


def fail_payment(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Order | None:
    """A payment attempt of an unpaid order fails for the given reason, and the order is announced as one to
    remind at once (its 催付 task opens in the queue): a failed payment is what a reminder must address."""
    order = _unpaid(session, ctx, data["order_id"])
    if order is None:
        report_skipped(session, ctx.id, "failed_payment", data)
        return None
    method = order.payment_method or ctx.profile["orders"]["payment_methods"][0]
    attempt_payment(
        session, ctx, order.id, method=method, succeeded=False, failure_reason=data["reason"], amount_cents=None
    )
    announce(session, ctx, order)  # the timer does not announce this round a second time
    return order


def parcel_exception(session: Session, ctx: ShopContext, data: dict[str, Any], kind: str) -> Order | None:
    """The newest parcel in transit of a shipped order is lost, or held at customs, now."""
    found = _in_transit(session, ctx, data["order_id"])
    if found is None:
        report_skipped(session, ctx.id, "lost_parcel" if kind == "lost" else kind, data)
        return None
    order, shipment = found
    detail = fill(data["text"], data["language"], order_no=order.order_no) if data.get("text") else ""
    raise_exception(session, ctx, order.id, shipment.id, kind=kind, detail=detail)
    return order
