"""Shipping, reshipping, tracking exceptions and the timer rule that lets timelines unfold on the shop's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.orders.carriers import check_tracking
from services.orders.models import Order, OrderLine, Product, Shipment, ShippingTemplate, TrackingEvent, new_id
from services.orders.order_state import SHIPPED, load_order, next_state, order_ref, require_state
from services.orders.shipping_rates import rules_for
from services.orders.timeline import DELAYING, EXCEPTION_KINDS, TERMINAL, describe, plan
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish

RESHIP_REASONS = ("lost", "damaged", "returned_to_sender", "wrong_item", "missing_parts", "exchange")


def _check_unused(session: Session, shop_id: str, carrier: str, tracking_no: str) -> None:
    used = session.scalar(
        select(Shipment.order_id).where(
            Shipment.shop_id == shop_id, Shipment.carrier == carrier, Shipment.tracking_no == tracking_no
        )
    )
    if used is not None:
        raise InvalidInput("this tracking number was already used", {"tracking_no": [f"already used on order {used}"]})


def transit_days(session: Session, order: Order, carrier: str) -> tuple[int, int]:
    """How long ``carrier`` takes to the order's destination, from its products' shipping templates; the range
    promised at checkout when the templates do not know the carrier."""
    rules = session.scalars(
        select(ShippingTemplate.rules)
        .join(
            Product,
            (Product.shop_id == ShippingTemplate.shop_id) & (Product.shipping_template == ShippingTemplate.code),
        )
        .join(OrderLine, (OrderLine.shop_id == Product.shop_id) & (OrderLine.product_id == Product.product_id))
        .where(OrderLine.shop_id == order.shop_id, OrderLine.order_id == order.id)
    ).all()
    offers = [rules_for(template, order.address["country"]).get(carrier) for template in rules]
    if not offers or None in offers:
        return order.delivery_days_min, order.delivery_days_max
    return max(o["days_min"] for o in offers), max(o["days_max"] for o in offers)


def _dispatch(
    session: Session,
    order: Order,
    profile: dict[str, Any],
    *,
    carrier: str,
    tracking_no: str,
    shipped_by: str | None,
    kind: str,
    reason: str | None,
    replaces: str | None,
    late: bool,
    now: datetime,
) -> Shipment:
    tracking_no = check_tracking(carrier, tracking_no, profile["carriers"])
    _check_unused(session, order.shop_id, carrier, tracking_no)
    shipment = Shipment(
        id=new_id(),
        shop_id=order.shop_id,
        order_id=order.id,
        kind=kind,
        reason=reason,
        replaces_shipment_id=replaces,
        carrier=carrier,
        tracking_no=tracking_no,
        status="in_transit",
        shipped_at=now,
        shipped_by=shipped_by,
        late=late,
        damaged=False,
    )
    session.add(shipment)
    origin = profile["orders"]["ship_from"]
    days_min, days_max = transit_days(session, order, carrier)
    steps = plan(
        seed=f"{carrier}:{tracking_no}",
        shipped_at=now,
        cross_border=profile["market"] == "cross_border",
        days_min=days_min,
        days_max=days_max,
        origin=f"{origin['city']} {origin.get('city_zh', '')}, {origin['country']}".replace(" ,", ","),
        destination=f"{order.address.get('city', '')}, {order.address['country']}",
        tracking=profile["orders"].get("tracking", {}),
    )
    for seq, step in enumerate(steps):
        session.add(
            TrackingEvent(
                shop_id=order.shop_id,
                shipment_id=shipment.id,
                order_id=order.id,
                seq=seq,
                kind=step.kind,
                status=step.status,
                location=step.location,
                detail=step.detail,
                due_at=step.due_at,
            )
        )
    return shipment


def ship_order(
    session: Session,
    shop_id: str,
    order_id: str,
    profile: dict[str, Any],
    *,
    carrier: str,
    tracking_no: str,
    shipped_by: str,
    now: datetime,
) -> Shipment:
    order = load_order(session, shop_id, order_id, lock=True)
    new_state = next_state(order, "ship")
    late = order.ship_by is not None and now > order.ship_by
    shipment = _dispatch(
        session, order, profile, carrier=carrier, tracking_no=tracking_no, shipped_by=shipped_by,
        kind="original", reason=None, replaces=None, late=late, now=now,
    )  # fmt: skip
    order.state = new_state
    order.shipped_at = now
    publish(
        session,
        "order.shipped",
        shop_id=shop_id,
        payload={
            **order_ref(order),
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_no": shipment.tracking_no,
            "shipped_at": now,
            "late": late,
            "shipped_by": shipped_by,
            "ship_by": order.ship_by,
        },
    )
    return shipment


def reship(
    session: Session,
    shop_id: str,
    order_id: str,
    profile: dict[str, Any],
    *,
    carrier: str,
    tracking_no: str,
    reason: str,
    replaces_shipment_id: str | None,
    shipped_by: str,
    now: datetime,
    kind: str = "reshipment",
    order: Order | None = None,
) -> Shipment:
    """A replacement parcel (lost, damaged, wrong item, an exchange). It is not a late shipment: the order's
    promise was kept or broken by its first parcel."""
    order = order or load_order(session, shop_id, order_id, lock=True)
    require_state(order, "reship")
    if replaces_shipment_id is not None:
        _shipment(session, shop_id, order.id, replaces_shipment_id)
    shipment = _dispatch(
        session, order, profile, carrier=carrier, tracking_no=tracking_no, shipped_by=shipped_by,
        kind=kind, reason=reason, replaces=replaces_shipment_id, late=False, now=now,
    )  # fmt: skip
    publish(
        session,
        "order.reshipped",
        shop_id=shop_id,
        payload={
            **order_ref(order),
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_no": shipment.tracking_no,
            "reason": reason,
            "replaces_shipment_id": replaces_shipment_id,
            "shipped_by": shipped_by,
            "shipped_at": now,
        },
    )
    return shipment


def _shipment(session: Session, shop_id: str, order_id: str, shipment_id: str) -> Shipment:
    shipment = session.scalar(
        select(Shipment).where(Shipment.shop_id == shop_id, Shipment.order_id == order_id, Shipment.id == shipment_id)
    )
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id} on order {order_id}", {"shipment_id": ["unknown shipment"]})
    return shipment


def raise_exception(
    session: Session,
    shop_id: str,
    order_id: str,
    shipment_id: str,
    *,
    kind: str,
    detail: str,
    delay_hours: float,
    now: datetime,
) -> TrackingEvent:
    """An exception happening now (an instructor's injection, or a carrier's notice): it is recorded and published,
    and the rest of the timeline is pushed back (delays) or dropped (lost, returned to sender)."""
    if kind not in EXCEPTION_KINDS:
        raise InvalidInput(f"unknown exception {kind!r}", {"kind": [f"one of {', '.join(EXCEPTION_KINDS)}"]})
    order = load_order(session, shop_id, order_id, lock=True)
    require_state(order, "raise_exception")
    shipment = _shipment(session, shop_id, order.id, shipment_id)
    if shipment.status != "in_transit" and not (kind == "damaged" and shipment.status == "delivered"):
        raise Conflict(
            f"the parcel is {shipment.status}",
            {"shipment_id": [f"is {shipment.status}; exceptions need a parcel in transit"]},
            current_state=order.state,
            shipment_status=shipment.status,
        )
    pending = TrackingEvent.shop_id == shop_id, TrackingEvent.shipment_id == shipment.id
    waiting = TrackingEvent.occurred_at.is_(None)
    if kind in TERMINAL:
        session.execute(delete(TrackingEvent).where(*pending, waiting).execution_options(synchronize_session=False))
    elif kind in DELAYING:  # a handful of rows; shifted here since date arithmetic differs between backends
        for waiting_event in session.scalars(select(TrackingEvent).where(*pending, waiting)):
            waiting_event.due_at += timedelta(hours=delay_hours)
    last = session.scalar(select(TrackingEvent.seq).where(*pending).order_by(TrackingEvent.seq.desc()).limit(1))
    event = TrackingEvent(
        shop_id=shop_id,
        shipment_id=shipment.id,
        order_id=order.id,
        seq=(last or 0) + 1,
        kind="exception",
        status=kind,
        location="",
        detail=detail or describe(kind),
        due_at=now,
        occurred_at=now,
    )
    session.add(event)
    _happened(session, order, shipment, event, now)
    return event


def _happened(session: Session, order: Order, shipment: Shipment, event: TrackingEvent, now: datetime) -> None:
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
        shipment.status = "delivered"
        shipment.delivered_at = event.occurred_at
        if order.state == SHIPPED:
            order.state = next_state(order, "deliver")
            order.delivered_at = event.occurred_at
            publish(
                session,
                "order.delivered",
                shop_id=order.shop_id,
                payload={**order_ref(order), "shipment_id": shipment.id, "delivered_at": event.occurred_at},
            )


def advance_timelines(session: Session, shop_id: str, now: datetime, limit: int = 500) -> int:
    """Timer rule: every planned step whose time has come happens, in order, at its planned (shop) time."""
    due = session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shop_id == shop_id, TrackingEvent.occurred_at.is_(None), TrackingEvent.due_at <= now)
        .order_by(TrackingEvent.due_at, TrackingEvent.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    shipments = {
        s.id: s
        for s in session.scalars(
            select(Shipment).where(Shipment.shop_id == shop_id, Shipment.id.in_({e.shipment_id for e in due}))
        )
    }
    orders = {
        o.id: o
        for o in session.scalars(
            select(Order).where(Order.shop_id == shop_id, Order.id.in_({e.order_id for e in due})).with_for_update()
        )
    }
    for event in due:
        event.occurred_at = event.due_at
        _happened(session, orders[event.order_id], shipments[event.shipment_id], event, now)
    return len(due)


def tracking_of(session: Session, shop_id: str, order_id: str) -> dict[str, Any]:
    """What the buyer and the student can see: every parcel of the order and the steps that have happened."""
    order = load_order(session, shop_id, order_id)
    shipments = session.scalars(
        select(Shipment).where(Shipment.shop_id == shop_id, Shipment.order_id == order.id).order_by(Shipment.shipped_at)
    ).all()
    events = session.scalars(
        select(TrackingEvent)
        .where(
            TrackingEvent.shop_id == shop_id,
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
