"""Tracking: the planned steps of a parcel happen as the shop's clock reaches them (a timer rule), exceptions happen
when raised, and what has happened so far is what the buyer and the student see (查件)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from services.orders.models import Order, Shipment, TrackingEvent
from services.orders.order_state import SHIPPED, load_order, next_state, order_ref, require_state
from services.orders.timeline import DELAYING, EXCEPTION_KINDS, TERMINAL, describe
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

DEFAULT_DELAY_HOURS = 48.0  # when the profile names none


def load_shipment(session: Session, shop_id: str, order_id: str, shipment_id: str) -> Shipment:
    shipment = session.scalar(
        select(Shipment).where(Shipment.shop_id == shop_id, Shipment.order_id == order_id, Shipment.id == shipment_id)
    )
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id} on order {order_id}", {"shipment_id": ["unknown shipment"]})
    return shipment


def raise_exception(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    shipment_id: str,
    *,
    kind: str,
    detail: str,
    delay_hours: float | None = None,
) -> TrackingEvent:
    """An exception happening now (an instructor's injection, or a carrier's notice): it is recorded and published,
    and the rest of the timeline is pushed back (delays, by ``delay_hours``, default the profile's) or dropped
    (lost, returned to sender)."""
    if kind not in EXCEPTION_KINDS:
        raise InvalidInput(f"unknown exception {kind!r}", {"kind": [f"one of {', '.join(EXCEPTION_KINDS)}"]})
    order = load_order(session, ctx.id, order_id, lock=True)
    require_state(order, "raise_exception")
    shipment = load_shipment(session, ctx.id, order.id, shipment_id)
    if shipment.status != "in_transit" and not (kind == "damaged" and shipment.status == "delivered"):
        raise Conflict(
            f"the parcel is {shipment.status}",
            {"shipment_id": [f"is {shipment.status}; exceptions need a parcel in transit"]},
            current_state=order.state,
            shipment_status=shipment.status,
        )
    if delay_hours is None:
        delay_hours = float(ctx.profile["orders"].get("tracking", {}).get("delay_hours", DEFAULT_DELAY_HOURS))
    _reschedule(session, shipment, kind, delay_hours)
    last = session.scalar(select(TrackingEvent.seq).where(*_of(shipment)).order_by(TrackingEvent.seq.desc()).limit(1))
    event = TrackingEvent(
        shop_id=ctx.id,
        shipment_id=shipment.id,
        order_id=order.id,
        seq=(last or 0) + 1,
        kind="exception",
        status=kind,
        location="",
        detail=detail or describe(kind),
        due_at=ctx.shop_now,
        occurred_at=ctx.shop_now,
    )
    session.add(event)
    _happened(session, order, shipment, event)
    return event


def _of(shipment: Shipment) -> tuple[ColumnElement[bool], ...]:
    return TrackingEvent.shop_id == shipment.shop_id, TrackingEvent.shipment_id == shipment.id


def _reschedule(session: Session, shipment: Shipment, kind: str, delay_hours: float) -> None:
    """The steps still waiting: dropped after a terminal exception, pushed back by a delaying one."""
    waiting = TrackingEvent.occurred_at.is_(None)
    if kind in TERMINAL:
        session.execute(
            delete(TrackingEvent).where(*_of(shipment), waiting).execution_options(synchronize_session=False)
        )
    elif kind in DELAYING:  # a handful of rows; shifted here since date arithmetic differs between backends
        for step in session.scalars(select(TrackingEvent).where(*_of(shipment), waiting)):
            step.due_at += timedelta(hours=delay_hours)


def _happened(session: Session, order: Order, shipment: Shipment, event: TrackingEvent) -> None:
    """A step of the timeline has happened: its effects and its event."""
    ref = {
        **order_ref(order),
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
    }
    if event.kind == "exception":
        if event.status in TERMINAL:
            shipment.status = event.status
        elif event.status == "damaged":
            shipment.damaged = True
        publish(
            session,
            "shipment.exception",
            shop_id=order.shop_id,
            payload={**ref, "kind": event.status, "detail": event.detail, "occurred_at": event.occurred_at},
        )
        return
    shipment.first_scan_at = shipment.first_scan_at or event.occurred_at
    publish(
        session,
        "shipment.checkpoint",
        shop_id=order.shop_id,
        payload={**ref, "status": event.status, "location": event.location, "occurred_at": event.occurred_at},
    )
    if event.status == "delivered":
        _delivered(session, order, shipment, event)


def _delivered(session: Session, order: Order, shipment: Shipment, event: TrackingEvent) -> None:
    shipment.status = "delivered"
    shipment.delivered_at = event.occurred_at
    if order.state == SHIPPED:  # a reshipment arriving after the first parcel changes nothing more
        order.state = next_state(order, "deliver")
        order.delivered_at = event.occurred_at
        publish(
            session,
            "order.delivered",
            shop_id=order.shop_id,
            payload={**order_ref(order), "shipment_id": shipment.id, "delivered_at": event.occurred_at},
        )


def checkpoints_due(ctx: ShopContext) -> ColumnElement[bool]:
    """Planned steps whose time has come (the timer's probe and its rule read the same condition)."""
    return (
        (TrackingEvent.shop_id == ctx.id) & TrackingEvent.occurred_at.is_(None) & (TrackingEvent.due_at <= ctx.shop_now)
    )


def advance_timelines(session: Session, ctx: ShopContext, limit: int = 500) -> int:
    """Timer rule: every planned step whose time has come happens, in order, at its planned (shop) time."""
    due = session.scalars(
        select(TrackingEvent)
        .where(checkpoints_due(ctx))
        .order_by(TrackingEvent.due_at, TrackingEvent.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    shipments = {
        s.id: s
        for s in session.scalars(
            select(Shipment).where(Shipment.shop_id == ctx.id, Shipment.id.in_({e.shipment_id for e in due}))
        )
    }
    orders = {
        o.id: o
        for o in session.scalars(
            select(Order).where(Order.shop_id == ctx.id, Order.id.in_({e.order_id for e in due})).with_for_update()
        )
    }
    for event in due:
        event.occurred_at = event.due_at
        _happened(session, orders[event.order_id], shipments[event.shipment_id], event)
    return len(due)


def tracking_of(session: Session, ctx: ShopContext, order_id: str) -> dict[str, Any]:
    """What the buyer and the student can see: every parcel of the order and the steps that have happened."""
    order = load_order(session, ctx.id, order_id)
    shipments = session.scalars(
        select(Shipment).where(Shipment.shop_id == ctx.id, Shipment.order_id == order.id).order_by(Shipment.shipped_at)
    ).all()
    events = session.scalars(
        select(TrackingEvent)
        .where(
            TrackingEvent.shop_id == ctx.id,
            TrackingEvent.order_id == order.id,
            TrackingEvent.occurred_at.is_not(None),
        )
        .order_by(TrackingEvent.occurred_at, TrackingEvent.seq)
    ).all()
    by_shipment: dict[str, list[TrackingEvent]] = {}
    for event in events:
        by_shipment.setdefault(event.shipment_id, []).append(event)
    return {
        "order_id": order.id,
        "order_no": order.order_no,
        "state": order.state,
        "shipments": [
            {
                "shipment": shipment,
                "events": by_shipment.get(shipment.id, []),
                "estimated_delivery_from": shipment.shipped_at + timedelta(days=order.delivery_days_min),
                "estimated_delivery_to": shipment.shipped_at + timedelta(days=order.delivery_days_max),
            }
            for shipment in shipments
        ],
    }
