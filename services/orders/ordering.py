"""An order's life before and after its parcel: cancelling it (stock released, a paid order refunded), address
changes, completion, and the two timer rules on the shop's clock (unpaid timeout, automatic completion).

Placing orders is :mod:`services.orders.placing`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from services.orders import refunds
from services.orders.closing import close_order
from services.orders.models import AddressChange, Order
from services.orders.order_state import DELIVERED, PAID, UNPAID, load_order, next_state, order_ref, require_state
from shoplab.errors import InvalidInput
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext


def cancel(session: Session, order: Order, *, reason: str, by: str | None, note: str, now: datetime) -> Order:
    """Cancel an unpaid or paid (not yet shipped) order: stock goes back; a paid order is refunded in full."""
    if order.state == PAID:
        next_state(order, "cancel")  # checked before the refund is written
        refunds.refund_remaining(session, order, by=by, note=note, now=now)
    return close_order(session, order, reason=reason, by=by, now=now)


def cancel_order(
    session: Session, ctx: ShopContext, order_id: str, *, by: str, agent_id: str | None, note: str
) -> Order:
    order = load_order(session, ctx.id, order_id, lock=True)
    return cancel(session, order, reason=by, by=agent_id or by, note=note, now=ctx.shop_now)


def change_address(
    session: Session, ctx: ShopContext, order_id: str, *, address: dict[str, Any], changed_by: str
) -> Order:
    """Before shipping only; the destination country stays (the fee and delivery time were quoted for it)."""
    order = load_order(session, ctx.id, order_id, lock=True)
    require_state(order, "change_address")
    if address["country"] != order.address["country"]:
        raise InvalidInput(
            "the destination country cannot change after the order was placed",
            {"address": {"country": [f"must stay {order.address['country']}; cancel and order again"]}},
        )
    session.add(
        AddressChange(
            shop_id=ctx.id,
            order_id=order.id,
            old_address=order.address,
            new_address=address,
            changed_by=changed_by,
            changed_at=ctx.shop_now,
        )
    )
    order.address = address
    publish(
        session,
        "order.address_changed",
        shop_id=ctx.id,
        payload={**order_ref(order), "address": address, "changed_by": changed_by, "changed_at": ctx.shop_now},
    )
    return order


def complete(session: Session, order: Order, *, by: str, now: datetime) -> Order:
    order.state = next_state(order, "complete")
    order.completed_at = now
    publish(
        session,
        "order.completed",
        shop_id=order.shop_id,
        payload={**order_ref(order), "completed_at": now, "by": by},
    )
    return order


def confirm_receipt(session: Session, ctx: ShopContext, order_id: str) -> Order:
    return complete(session, load_order(session, ctx.id, order_id, lock=True), by="buyer", now=ctx.shop_now)


def expired_unpaid(ctx: ShopContext) -> ColumnElement[bool]:
    """Unpaid orders past their pay-by time (the timer's probe and its rule read the same condition)."""
    return (Order.shop_id == ctx.id) & (Order.state == UNPAID) & (Order.pay_due_at <= ctx.shop_now)


def cancel_expired(session: Session, ctx: ShopContext) -> list[str]:
    """Timer rule: unpaid orders past their pay-by time are cancelled and their stock released."""
    expired = session.scalars(
        select(Order).where(expired_unpaid(ctx)).order_by(Order.pay_due_at).limit(500).with_for_update(skip_locked=True)
    ).all()
    for order in expired:
        cancel(session, order, reason="unpaid_timeout", by=None, note="", now=ctx.shop_now)
    return [order.id for order in expired]


def completion_due(ctx: ShopContext) -> ColumnElement[bool]:
    """Delivered orders the buyer did not confirm within the profile's window (自动确认收货)."""
    window = timedelta(days=int(ctx.profile["orders"]["auto_complete_days"]))
    return (Order.shop_id == ctx.id) & (Order.state == DELIVERED) & (Order.delivered_at <= ctx.shop_now - window)


def complete_delivered(session: Session, ctx: ShopContext) -> list[str]:
    """Timer rule: a delivered order the buyer did not confirm completes after the profile's window."""
    due = session.scalars(select(Order).where(completion_due(ctx)).limit(500).with_for_update(skip_locked=True)).all()
    for order in due:
        complete(session, order, by="auto", now=ctx.shop_now)
    return [order.id for order in due]
