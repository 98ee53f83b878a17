"""Refunds: requested by the buyer, approved or rejected by an agent with a note, completed when the money goes
back; never above what was paid, across every refund of the order. A platform's ruling on a dispute is executed
once per dispute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.orders.closing import close_order
from services.orders.models import Order, Refund, new_id
from services.orders.order_state import PAID, load_order, order_ref, require_state
from shoplab.contracts.money import wire
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

REASONS = ("not_received", "not_as_described", "damaged", "wrong_item", "quality", "changed_mind")
KINDS = ("refund_only", "return_and_refund")
HOLDING = ("requested", "approved", "completed")  # refunds that count against what may still be refunded


def refund_payload(order: Order, refund: Refund, now: datetime) -> dict[str, Any]:
    return {
        **order_ref(order),
        "refund_id": refund.id,
        "amount": wire(refund.amount_cents),
        "currency": order.currency,
        "reason": refund.reason,
        "kind": refund.kind,
        "by": refund.decided_by or refund.requested_by,
        "note": refund.decision_note or refund.note or "",
        "occurred_at": now,
    }


def refundable_cents(session: Session, order: Order) -> int:
    held = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.shop_id == order.shop_id, Refund.order_id == order.id, Refund.status.in_(HOLDING)
        )
    )
    return order.paid_cents - int(held)


def new_refund(
    session: Session,
    order: Order,
    *,
    kind: str,
    reason: str,
    amount_cents: int | None,
    note: str,
    requested_by: str,
    now: datetime,
    return_id: str | None = None,
) -> Refund:
    """Record a requested refund (the caller checked the order's state); ``amount_cents=None`` = all that is left."""
    left = refundable_cents(session, order)
    amount = left if amount_cents is None else amount_cents
    if amount <= 0 or amount > left:
        raise InvalidInput(
            "a refund cannot exceed what was paid, across all refunds of the order",
            {"amount": [f"at most {wire(max(left, 0))} {order.currency} may still be refunded"]},
            refundable=wire(max(left, 0)),
        )
    refund = Refund(
        id=new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        kind=kind,
        reason=reason,
        amount_cents=amount,
        status="requested",
        note=note,
        requested_by=requested_by,
        requested_at=now,
        return_id=return_id,
    )
    session.add(refund)
    publish(session, "refund.requested", shop_id=order.shop_id, payload=refund_payload(order, refund, now))
    return refund


def request_refund_only(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    *,
    reason: str,
    amount_cents: int | None,
    note: str,
    requested_by: str,
) -> Refund:
    order = load_order(session, ctx.id, order_id, lock=True)
    require_state(order, "refund")
    return new_refund(
        session, order, kind="refund_only", reason=reason, amount_cents=amount_cents, note=note,
        requested_by=requested_by, now=ctx.shop_now,
    )  # fmt: skip


def load_refund(session: Session, shop_id: str, order_id: str, refund_id: str | None) -> Refund:
    refund = session.scalar(
        select(Refund).where(Refund.shop_id == shop_id, Refund.order_id == order_id, Refund.id == refund_id)
    )
    if refund is None:
        raise NotFound(f"no refund {refund_id} on order {order_id}", {"refund_id": ["unknown refund"]})
    return refund


def require_refund_status(order: Order, refund: Refund, *allowed: str) -> None:
    if refund.status not in allowed:
        raise Conflict(
            f"the refund is {refund.status}",
            {"refund_id": [f"is {refund.status}; needs {' or '.join(allowed)}"]},
            current_state=order.state,
            refund_status=refund.status,
        )


def decide(refund: Refund, status: str, agent_id: str, note: str, now: datetime) -> None:
    refund.status = status
    refund.decided_by = agent_id
    refund.decided_at = now
    refund.decision_note = note


def complete_refund(session: Session, order: Order, refund: Refund, now: datetime) -> None:
    refund.status = "completed"
    refund.completed_at = now
    order.refunded_cents += refund.amount_cents
    publish(session, "refund.completed", shop_id=order.shop_id, payload=refund_payload(order, refund, now))
    if order.state == PAID and order.refunded_cents >= order.paid_cents:
        # all the money went back before the parcel left: the deal is off (交易关闭)
        close_order(session, order, reason="refunded", by=refund.decided_by, now=now)


def approve_refund_only(
    session: Session, order: Order, refund: Refund, *, agent_id: str, note: str, now: datetime
) -> Refund:
    """Refund only: approved and paid back at once."""
    decide(refund, "approved", agent_id, note, now)
    publish(session, "refund.approved", shop_id=order.shop_id, payload=refund_payload(order, refund, now))
    complete_refund(session, order, refund, now)
    return refund


def reject(session: Session, order: Order, refund: Refund, *, agent_id: str, note: str, now: datetime) -> Refund:
    decide(refund, "rejected", agent_id, note, now)
    publish(session, "refund.rejected", shop_id=order.shop_id, payload=refund_payload(order, refund, now))
    return refund


def refund_remaining(session: Session, order: Order, *, by: str | None, note: str, now: datetime) -> Refund | None:
    """A paid order cancelled before shipping gives back all that is left of its payment at once (未发货仅退款)."""
    open_refunds_closed(session, order, now)
    amount = order.paid_cents - order.refunded_cents
    if amount <= 0:
        return None
    refund = Refund(
        id=new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        kind="refund_only",
        reason="order_cancelled",
        amount_cents=amount,
        status="completed",
        note=note,
        requested_by=by or "system",
        requested_at=now,
        decided_by=by,
        decided_at=now,
        completed_at=now,
    )
    session.add(refund)
    order.refunded_cents += amount
    publish(session, "refund.completed", shop_id=order.shop_id, payload=refund_payload(order, refund, now))
    return refund


def open_refunds_closed(session: Session, order: Order, now: datetime) -> None:
    """Refunds still waiting are closed when the order's money has gone back another way (cancel, ruling)."""
    for refund in session.scalars(
        select(Refund).where(
            Refund.shop_id == order.shop_id, Refund.order_id == order.id, Refund.status.in_(("requested", "approved"))
        )
    ):
        refund.status = "closed"
        refund.decided_at = refund.decided_at or now


def execute_ruling(session: Session, ctx: ShopContext, ruling: dict[str, Any]) -> Refund | None:
    """The platform ruled a dispute for the buyer (or split): refund the ruled amount, once per dispute, capped
    at what is left of the payment. Refunds still waiting on the order are closed: the ruling supersedes them."""
    amount = ruling["refund_amount"]  # minor units: the contract's Money field loaded "10.00" as 1000
    if ruling["outcome"] not in ("buyer", "split") or amount <= 0:
        return None
    existing = session.scalar(select(Refund).where(Refund.shop_id == ctx.id, Refund.dispute_id == ruling["dispute_id"]))
    if existing is not None:
        return existing
    now = ctx.shop_now
    order = load_order(session, ctx.id, ruling["order_id"], lock=True)
    open_refunds_closed(session, order, now)
    amount = min(amount, order.paid_cents - order.refunded_cents)
    if amount <= 0:
        return None
    refund = Refund(
        id=new_id(),
        shop_id=ctx.id,
        order_id=order.id,
        kind="return_and_refund" if ruling.get("with_return") else "refund_only",
        # the dispute refund rate counts only what the platform ruled, not what the buyer agreed with the shop
        reason="dispute_ruling" if ruling.get("arbitrated", True) else "dispute_settlement",
        amount_cents=amount,
        status="approved",
        note=ruling.get("reason") or "",
        requested_by=f"dispute:{ruling['dispute_id']}",
        requested_at=now,
        decided_by=ruling["dispute_id"],
        decided_at=now,
        decision_note=f"platform ruling ({ruling['outcome']}): {ruling.get('reason', '')}",
        dispute_id=ruling["dispute_id"],
    )
    session.add(refund)
    complete_refund(session, order, refund, now)
    return refund
