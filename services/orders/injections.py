"""Instructors' injections of what the orders service owns: a failed payment, a lost parcel, a customs hold.

Each reuses the service's own rule (``payments.attempt_payment``, ``tracking.raise_exception``), so an injected
failure or exception is exactly what a real one is, with its events. The order is the one the instructor named
(the gateway has checked it is this shop's), else the newest one in the state the kind needs; a shop without such an
order is left as it is (logged: the injection's record in the gateway still says what was asked).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders.models import Order, Shipment
from services.orders.order_state import SHIPPED, UNPAID
from services.orders.payments import attempt_payment
from services.orders.reminders import announce
from services.orders.tracking import raise_exception
from shoplab.injected_text import fill
from shoplab.shops.context import ShopContext

log = logging.getLogger(__name__)


def _order(session: Session, ctx: ShopContext, order_id: str | None, state: str) -> Order | None:
    stmt = select(Order).where(Order.shop_id == ctx.id, Order.state == state)
    if order_id is not None:
        stmt = stmt.where(Order.id == order_id)
    if state == UNPAID:
        stmt = stmt.where(Order.pay_due_at > ctx.shop_now)
    return session.scalar(stmt.order_by(Order.placed_at.desc(), Order.id.desc()).limit(1))


def _skipped(ctx: ShopContext, data: dict[str, Any], kind: str, needs: str) -> None:
    log.warning("injection %s (%s) in shop %s: no %s order to take it", data["injection_id"], kind, ctx.id, needs)


def fail_payment(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Order | None:
    """A payment attempt of an unpaid order fails for the given reason, and the order is announced as one to
    remind at once (its 催付 task opens in the queue): a failed payment is what a reminder must address."""
    order = _order(session, ctx, data["order_id"], UNPAID)
    if order is None:
        _skipped(ctx, data, "failed_payment", "unpaid")
        return None
    method = order.payment_method or ctx.profile["orders"]["payment_methods"][0]
    attempt_payment(
        session, ctx, order.id, method=method, succeeded=False, failure_reason=data["reason"], amount_cents=None
    )
    announce(session, ctx, order)  # the timer does not announce this round a second time
    return order


def parcel_exception(session: Session, ctx: ShopContext, data: dict[str, Any], kind: str) -> Order | None:
    """The newest parcel in transit of a shipped order is lost, or held at customs, now."""
    order = _order(session, ctx, data["order_id"], SHIPPED)
    shipment = None
    if order is not None:
        shipment = session.scalar(
            select(Shipment)
            .where(Shipment.shop_id == ctx.id, Shipment.order_id == order.id, Shipment.status == "in_transit")
            .order_by(Shipment.shipped_at.desc())
            .limit(1)
        )
    if order is None or shipment is None:
        _skipped(ctx, data, kind, "shipped (parcel in transit)")
        return None
    detail = fill(data["text"], data["language"], order_no=order.order_no) if data.get("text") else ""
    raise_exception(session, ctx, order.id, shipment.id, kind=kind, detail=detail)
    return order
