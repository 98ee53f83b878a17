"""Closing an order before it ships: the cancelled state, its stock back on the shelf, and ``order.cancelled``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.orders import stock
from services.orders.models import Order
from services.orders.order_state import next_state, order_ref
from shoplab.eventbus.outbox import publish


def close_order(session: Session, order: Order, *, reason: str, by: str | None, now: datetime) -> Order:
    order.state = next_state(order, "cancel")
    order.cancelled_at = now
    order.cancel_reason = reason
    order.cancelled_by = by
    stock.release(session, order)
    publish(
        session,
        "order.cancelled",
        shop_id=order.shop_id,
        payload={**order_ref(order), "reason": reason, "cancelled_at": now, "by": by},
    )
    return order
