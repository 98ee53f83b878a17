"""Payment attempts: a success pays the order; a failure keeps its reason on the order, for the reminder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services.orders.models import Order, Payment, new_id
from services.orders.order_state import load_order, next_state, order_ref, require_state
from shoplab.contracts.money import wire
from shoplab.contracts.orders import PAYMENT_FAILURE_REASONS
from shoplab.errors import Conflict, InvalidInput
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

FAILURE_REASONS = PAYMENT_FAILURE_REASONS


def attempt_payment(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    *,
    method: str,
    succeeded: bool,
    failure_reason: str | None,
    amount_cents: int | None,
) -> tuple[Order, Payment]:
    """One attempt to pay the order's total with one of the profile's payment methods, before its pay-by time."""
    methods = ctx.profile["orders"]["payment_methods"]
    if method not in methods:
        raise InvalidInput(f"{method!r} is not offered by this shop", {"method": [f"one of {', '.join(methods)}"]})
    order = load_order(session, ctx.id, order_id, lock=True)
    if succeeded:
        next_state(order, "pay")
    else:
        require_state(order, "fail_payment")
        if failure_reason is None:
            raise InvalidInput("a failed payment needs its reason", {"failure_reason": ["required when failed"]})
    _check_window_and_amount(order, ctx, amount_cents)
    payment = Payment(
        id=new_id(),
        shop_id=ctx.id,
        order_id=order.id,
        method=method,
        result="succeeded" if succeeded else "failed",
        failure_reason=None if succeeded else failure_reason,
        amount_cents=order.total_cents,
        attempted_at=ctx.shop_now,
    )
    session.add(payment)
    if succeeded:
        _paid(session, ctx, order, method)
    else:
        _failed(session, ctx, order, method, failure_reason)
    return order, payment


def _check_window_and_amount(order: Order, ctx: ShopContext, amount_cents: int | None) -> None:
    if ctx.shop_now >= order.pay_due_at:
        raise Conflict(
            "the payment window has closed; the order is being cancelled",
            {"order_id": [f"pay-by time {order.pay_due_at.isoformat()} has passed"]},
            current_state=order.state,
            pay_by=order.pay_due_at.isoformat(),
        )
    if amount_cents is not None and amount_cents != order.total_cents:
        raise InvalidInput(
            "the amount must be the order's total",
            {"amount": [f"must be {wire(order.total_cents)} {order.currency}"]},
        )


def _paid(session: Session, ctx: ShopContext, order: Order, method: str) -> None:
    """The order is paid: its handling time starts (``ship_by``)."""
    order.state = next_state(order, "pay")
    order.paid_at = ctx.shop_now
    order.paid_cents = order.total_cents
    order.payment_method = method
    order.ship_due_at = ctx.shop_now + timedelta(days=ctx.profile["handling_time_days"])
    publish(
        session,
        "order.paid",
        shop_id=ctx.id,
        payload={
            **order_ref(order),
            "amount": wire(order.paid_cents),
            "currency": order.currency,
            "method": method,
            "paid_at": ctx.shop_now,
            "reminded": order.reminder_count > 0,
        },
    )


def _failed(session: Session, ctx: ShopContext, order: Order, method: str, reason: str | None) -> None:
    """The order keeps the failure's reason: what a payment reminder has to address."""
    order.payment_failure = reason
    publish(
        session,
        "order.payment_failed",
        shop_id=ctx.id,
        payload={
            **order_ref(order),
            "amount": wire(order.total_cents),
            "method": method,
            "reason": reason,
            "failed_at": ctx.shop_now,
        },
    )
