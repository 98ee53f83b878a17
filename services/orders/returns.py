"""Returns: requested → approved (with the return address) → shipped_back (tracking) → received → refunded, or
exchanged with a reshipment; or rejected. A return with refund carries its refund (kind ``return_and_refund``),
approved with the return and completed when the goods are received and refunded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders import refunds
from services.orders.carriers import carriers, check_tracking
from services.orders.models import Order, Refund, ReturnRequest, new_id
from services.orders.order_state import load_order, order_ref, require_state
from services.orders.shipments import reship
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

OPEN = ("requested", "approved", "shipped_back", "received")
RESOLUTIONS = ("refund", "exchange")


def return_payload(order: Order, ret: ReturnRequest, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        **order_ref(order),
        "return_id": ret.id,
        "refund_id": ret.refund_id,
        "status": ret.status,
        "tracking_no": ret.tracking_no,
        "carrier": ret.carrier,
        "resolution": ret.resolution,
        "reason": ret.reason,
        "occurred_at": now,
        **extra,
    }


def check_window(order: Order, ctx: ShopContext, reason: str) -> None:
    """Goods may come back within the profile's return window after delivery; without a reason (changed mind) only
    within its no-reason window (七天无理由), and not at all where the platform has none."""
    require_state(order, "return")
    profile, now = ctx.profile, ctx.shop_now
    delivered = order.delivered_at or order.shipped_at
    window = timedelta(days=profile["return_window_days"])
    if now > delivered + window:
        raise Conflict(
            f"the {profile['return_window_days']}-day return window closed on {(delivered + window).date()}",
            {"order_id": ["return window closed"]},
            current_state=order.state,
        )
    if reason == "changed_mind":
        days = profile["no_reason_return_days"]
        if days <= 0 or now > delivered + timedelta(days=days):
            raise InvalidInput(
                "a return without a fault is not accepted now",
                {
                    "reason": [
                        f"changed_mind is accepted within {days} days of delivery" if days else "not on this platform"
                    ]
                },
            )


def request_return(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    *,
    resolution: str,
    reason: str,
    amount_cents: int | None,
    note: str,
    requested_by: str,
) -> ReturnRequest:
    shop_id, now = ctx.id, ctx.shop_now
    order = load_order(session, shop_id, order_id, lock=True)
    check_window(order, ctx, reason)
    already = session.scalar(
        select(ReturnRequest.id).where(
            ReturnRequest.shop_id == shop_id, ReturnRequest.order_id == order.id, ReturnRequest.status.in_(OPEN)
        )
    )
    if already is not None:
        raise Conflict(
            "this order already has a return in progress",
            {"order_id": [f"return {already} is still open"]},
            current_state=order.state,
            return_id=already,
        )
    ret = ReturnRequest(
        id=new_id(),
        shop_id=shop_id,
        order_id=order.id,
        resolution=resolution,
        reason=reason,
        status="requested",
        note=note,
        requested_at=now,
    )
    if resolution == "refund":
        refund = refunds.new_refund(
            session, order, kind="return_and_refund", reason=reason, amount_cents=amount_cents, note=note,
            requested_by=requested_by, now=now, return_id=ret.id,
        )  # fmt: skip
        ret.refund_id = refund.id
    session.add(ret)
    publish(session, "return.requested", shop_id=shop_id, payload=return_payload(order, ret, now, by=requested_by))
    return ret


def load_return(session: Session, shop_id: str, order_id: str, return_id: str | None) -> ReturnRequest:
    ret = session.scalar(
        select(ReturnRequest).where(
            ReturnRequest.shop_id == shop_id, ReturnRequest.order_id == order_id, ReturnRequest.id == return_id
        )
    )
    if ret is None:
        raise NotFound(f"no return {return_id} on order {order_id}", {"return_id": ["unknown return"]})
    return ret


def _require(order: Order, ret: ReturnRequest, *allowed: str, resolution: str | None = None) -> None:
    if ret.status not in allowed:
        raise Conflict(
            f"the return is {ret.status}",
            {"return_id": [f"is {ret.status}; needs {' or '.join(allowed)}"]},
            current_state=order.state,
            return_status=ret.status,
        )
    if resolution is not None and ret.resolution != resolution:
        raise Conflict(
            f"the buyer asked for {ret.resolution}, not {resolution}",
            {"return_id": [f"resolution is {ret.resolution}"]},
            current_state=order.state,
            return_status=ret.status,
        )


def _linked_refund(session: Session, ret: ReturnRequest) -> Refund | None:
    if ret.refund_id is None:
        return None
    return refunds.load_refund(session, ret.shop_id, ret.order_id, ret.refund_id)


def approve_loaded_return(
    session: Session,
    ctx: ShopContext,
    order: Order,
    ret: ReturnRequest,
    *,
    agent_id: str,
    note: str,
    return_address: dict[str, Any] | None,
) -> ReturnRequest:
    _require(order, ret, "requested")
    now = ctx.shop_now
    ret.status = "approved"
    ret.decided_by = agent_id
    ret.decided_at = now
    ret.decision_note = note
    ret.return_address = return_address or ctx.profile["orders"]["return_address"]
    refund = _linked_refund(session, ret)
    if refund is not None:
        refunds.decide(refund, "approved", agent_id, note, now)
        publish(session, "refund.approved", shop_id=order.shop_id, payload=refunds.refund_payload(order, refund, now))
    publish(
        session,
        "return.approved",
        shop_id=order.shop_id,
        payload=return_payload(order, ret, now, by=agent_id, note=note),
    )
    return ret


def reject_loaded_return(
    session: Session, order: Order, ret: ReturnRequest, *, agent_id: str, note: str, now: datetime
) -> ReturnRequest:
    _require(order, ret, "requested", "shipped_back", "received")
    ret.status = "rejected"
    ret.decided_by = agent_id
    ret.decided_at = now
    ret.decision_note = note
    ret.closed_at = now
    refund = _linked_refund(session, ret)
    if refund is not None and refund.status in ("requested", "approved"):
        refunds.reject(session, order, refund, agent_id=agent_id, note=note, now=now)
    publish(
        session,
        "return.rejected",
        shop_id=order.shop_id,
        payload=return_payload(order, ret, now, by=agent_id, note=note),
    )
    return ret


def _loaded(session: Session, shop_id: str, order_id: str, return_id: str) -> tuple[Order, ReturnRequest]:
    order = load_order(session, shop_id, order_id, lock=True)
    return order, load_return(session, shop_id, order.id, return_id)


def approve_return(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    return_id: str,
    *,
    agent_id: str,
    note: str,
    return_address: dict[str, Any] | None,
) -> ReturnRequest:
    order, ret = _loaded(session, ctx.id, order_id, return_id)
    return approve_loaded_return(session, ctx, order, ret, agent_id=agent_id, note=note, return_address=return_address)


def reject_return(
    session: Session, ctx: ShopContext, order_id: str, return_id: str, *, agent_id: str, note: str
) -> ReturnRequest:
    order, ret = _loaded(session, ctx.id, order_id, return_id)
    return reject_loaded_return(session, order, ret, agent_id=agent_id, note=note, now=ctx.shop_now)


def ship_back(
    session: Session, ctx: ShopContext, order_id: str, return_id: str, *, carrier: str, tracking_no: str
) -> ReturnRequest:
    """The buyer sent the goods back; any known carrier will do (buyers use their local post)."""
    shop_id, now = ctx.id, ctx.shop_now
    order, ret = _loaded(session, shop_id, order_id, return_id)
    _require(order, ret, "approved")
    ret.tracking_no = check_tracking(carrier, tracking_no, list(carriers()))
    ret.carrier = carrier
    ret.status = "shipped_back"
    ret.shipped_back_at = now
    publish(session, "return.shipped", shop_id=shop_id, payload=return_payload(order, ret, now, by="buyer"))
    return ret


def receive(
    session: Session, ctx: ShopContext, order_id: str, return_id: str, *, agent_id: str, note: str
) -> ReturnRequest:
    shop_id, now = ctx.id, ctx.shop_now
    order, ret = _loaded(session, shop_id, order_id, return_id)
    _require(order, ret, "shipped_back")
    ret.status = "received"
    ret.received_by = agent_id
    ret.received_at = now
    publish(
        session, "return.received", shop_id=shop_id, payload=return_payload(order, ret, now, by=agent_id, note=note)
    )
    return ret


def refund_return(session: Session, ctx: ShopContext, order_id: str, return_id: str, *, agent_id: str) -> ReturnRequest:
    shop_id, now = ctx.id, ctx.shop_now
    order, ret = _loaded(session, shop_id, order_id, return_id)
    _require(order, ret, "received", resolution="refund")
    refund = _linked_refund(session, ret)
    if refund is None or refund.status != "approved":
        raise Conflict(
            "the return's refund is no longer waiting",
            {"return_id": [f"its refund is {refund.status if refund else 'missing'}"]},
            current_state=order.state,
            return_status=ret.status,
        )
    refunds.complete_refund(session, order, refund, now)
    ret.status = "refunded"
    ret.closed_at = now
    publish(session, "return.refunded", shop_id=shop_id, payload=return_payload(order, ret, now, by=agent_id))
    return ret


def exchange(
    session: Session, ctx: ShopContext, order_id: str, return_id: str, *, agent_id: str, carrier: str, tracking_no: str
) -> ReturnRequest:
    shop_id, now = ctx.id, ctx.shop_now
    order, ret = _loaded(session, shop_id, order_id, return_id)
    _require(order, ret, "received", resolution="exchange")
    shipment = reship(
        session, ctx, order.id, carrier=carrier, tracking_no=tracking_no, reason="exchange",
        replaces_shipment_id=None, shipped_by=agent_id, kind="exchange", order=order,
    )  # fmt: skip
    ret.exchange_shipment_id = shipment.id
    ret.status = "exchanged"
    ret.closed_at = now
    publish(
        session,
        "return.exchanged",
        shop_id=shop_id,
        payload=return_payload(order, ret, now, by=agent_id, note=f"replacement {carrier} {shipment.tracking_no}"),
    )
    return ret
