"""The order's state machine and the shop-fenced way to load an order for a change.

unpaid → paid → shipped → delivered → completed, and cancelled (from unpaid or paid). Every action names the
states it is allowed from; anything else is a 409 that carries the order's current state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders.models import Order
from shoplab.errors import Conflict, NotFound

UNPAID, PAID, SHIPPED, DELIVERED, COMPLETED, CANCELLED = (
    "unpaid",
    "paid",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
)
STATES = (UNPAID, PAID, SHIPPED, DELIVERED, COMPLETED, CANCELLED)

# action -> {state it is allowed from: the state it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    "pay": {UNPAID: PAID},
    "cancel": {UNPAID: CANCELLED, PAID: CANCELLED},
    "ship": {PAID: SHIPPED},
    "deliver": {SHIPPED: DELIVERED},
    "complete": {DELIVERED: COMPLETED},
}

# actions that do not move the order, and the states they are allowed in
ALLOWED_IN: dict[str, frozenset[str]] = {
    "fail_payment": frozenset({UNPAID}),
    "remind": frozenset({UNPAID}),
    "change_address": frozenset({UNPAID, PAID}),
    "refund": frozenset({PAID, SHIPPED, DELIVERED, COMPLETED}),
    "return": frozenset({DELIVERED, COMPLETED}),
    "reship": frozenset({SHIPPED, DELIVERED, COMPLETED}),
    "raise_exception": frozenset({SHIPPED, DELIVERED, COMPLETED}),
}


def next_state(order: Order, action: str) -> str:
    """The state ``action`` leads to from the order's state, or a 409 naming the current state."""
    target = TRANSITIONS[action].get(order.state)
    if target is None:
        raise _illegal(order, action, sorted(TRANSITIONS[action]))
    return target


def require_state(order: Order, action: str) -> None:
    if order.state not in ALLOWED_IN[action]:
        raise _illegal(order, action, sorted(ALLOWED_IN[action]))


def _illegal(order: Order, action: str, allowed: list[str]) -> Conflict:
    return Conflict(
        f"cannot {action.replace('_', ' ')} an order that is {order.state}",
        {"state": [f"is {order.state}; {action} needs {' or '.join(allowed)}"]},
        current_state=order.state,
        allowed_states=allowed,
    )


def load_order(session: Session, shop_id: str, order_id: str, *, lock: bool = False) -> Order:
    """The order of this shop (404 for another shop's order). ``lock`` takes the row lock on PostgreSQL so two
    changes of one order queue up; SQLite writers are already serialised by BEGIN IMMEDIATE."""
    stmt = select(Order).where(Order.shop_id == shop_id, Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    order = session.scalar(stmt)
    if order is None:
        raise NotFound(f"no order {order_id} in shop {shop_id}", {"order_id": ["unknown order"]})
    return order


def order_ref(order: Order) -> dict[str, Any]:
    """The fields every order event carries."""
    return {"order_id": order.id, "order_no": order.order_no, "customer_id": order.customer_id}
