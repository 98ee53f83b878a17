"""The refund API's entry points: a refund only is handled by ``refunds``; a return and refund goes through
``returns`` (the goods must come back before the money does)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.orders import refunds, returns
from services.orders.models import Refund
from services.orders.order_state import load_order
from shoplab.shops.context import ShopContext


def request_refund(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    *,
    kind: str,
    reason: str,
    amount_cents: int | None,
    note: str,
    requested_by: str,
) -> Refund:
    if kind == "return_and_refund":
        ret = returns.request_return(
            session, ctx, order_id, resolution="refund", reason=reason, amount_cents=amount_cents, note=note,
            requested_by=requested_by,
        )  # fmt: skip
        return refunds.load_refund(session, ctx.id, order_id, ret.refund_id)
    return refunds.request_refund_only(
        session, ctx, order_id, reason=reason, amount_cents=amount_cents, note=note, requested_by=requested_by
    )


def approve_refund(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    refund_id: str,
    *,
    agent_id: str,
    note: str,
    return_address: dict[str, Any] | None,
) -> Refund:
    """Refund only: paid back at once. Return and refund: approving it approves the return (return address); the
    money goes back once the goods are received."""
    order = load_order(session, ctx.id, order_id, lock=True)
    refund = refunds.load_refund(session, ctx.id, order.id, refund_id)
    refunds.require_refund_status(order, refund, "requested")
    if refund.kind == "return_and_refund":
        ret = returns.load_return(session, ctx.id, order.id, refund.return_id)
        returns.approve_loaded_return(
            session, ctx, order, ret, agent_id=agent_id, note=note, return_address=return_address
        )
        return refund
    return refunds.approve_refund_only(session, order, refund, agent_id=agent_id, note=note, now=ctx.shop_now)


def reject_refund(
    session: Session, ctx: ShopContext, order_id: str, refund_id: str, *, agent_id: str, note: str
) -> Refund:
    order = load_order(session, ctx.id, order_id, lock=True)
    refund = refunds.load_refund(session, ctx.id, order.id, refund_id)
    refunds.require_refund_status(order, refund, "requested")
    if refund.kind == "return_and_refund":
        ret = returns.load_return(session, ctx.id, order.id, refund.return_id)
        returns.reject_loaded_return(session, order, ret, agent_id=agent_id, note=note, now=ctx.shop_now)
        return refund
    return refunds.reject(session, order, refund, agent_id=agent_id, note=note, now=ctx.shop_now)
