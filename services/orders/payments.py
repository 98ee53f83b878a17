"""Payment attempts: a success pays the order; a failure keeps its reason on the order, for the reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from services.orders.models import Order, Payment, new_id
from services.orders.money import from_cents
from services.orders.order_state import load_order, next_state, order_ref, require_state
from shoplab.errors import Conflict, InvalidInput
from shoplab.eventbus.outbox import publish

FAILURE_REASONS = ("declined", "insufficient_funds", "3ds_timeout", "card_expired", "risk_review", "network_error")


def attempt_payment(
    session: Session,
    shop_id: str,
    order_id: str,
    profile: dict[str, Any],
    *,
    method: str,
    succeeded: bool,
    failure_reason: str | None,
    amount_cents: int | None,
    now: datetime,
) -> tuple[Order, Payment]:
    methods = profile["orders"]["payment_methods"]
    if method not in methods:
        raise InvalidInput(f"{method!r} is not offered by this shop", {"method": [f"one of {', '.join(methods)}"]})
    order = load_order(session, shop_id, order_id, lock=True)
    if succeeded:
        new_state = next_state(order, "pay")
    else:
        require_state(order, "fail_payment")
        if failure_reason is None:
            raise InvalidInput("a failed payment needs its reason", {"failure_reason": ["required when failed"]})
    if now >= order.pay_by:
        raise Conflict(
            "the payment window has closed; the order is being cancelled",
            {"order_id": [f"pay-by time {order.pay_by.isoformat()} has passed"]},
            current_state=order.state,
            pay_by=order.pay_by.isoformat(),
        )
    if amount_cents is not None and amount_cents != order.total_cents:
        raise InvalidInput(
            "the amount must be the order's total",
            {"amount": [f"must be {from_cents(order.total_cents)} {order.currency}"]},
        )
    payment = Payment(
        id=new_id(),
        shop_id=shop_id,
        order_id=order.id,
        method=method,
        result="succeeded" if succeeded else "failed",
        failure_reason=None if succeeded else failure_reason,
        amount_cents=order.total_cents,
        attempted_at=now,
    )
    session.add(payment)
    if succeeded:
        order.state = new_state
        order.paid_at = now
        order.paid_cents = order.total_cents
        order.payment_method = method
        order.ship_by = now + timedelta(days=profile["handling_time_days"])
        publish(
            session,
            "order.paid",
            shop_id=shop_id,
            payload={
                **order_ref(order),
                "amount": str(from_cents(order.paid_cents)),
                "currency": order.currency,
                "method": method,
                "paid_at": now,
                "reminded": order.reminder_count > 0,
            },
        )
    else:
        order.payment_failure = failure_reason
        publish(
            session,
            "order.payment_failed",
            shop_id=shop_id,
            payload={
                **order_ref(order),
                "amount": str(from_cents(order.total_cents)),
                "method": method,
                "reason": failure_reason,
                "failed_at": now,
            },
        )
    return order, payment
