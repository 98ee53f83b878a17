"""Shipping and reshipping: a parcel leaves with a carrier and a tracking number in its format, and its tracking
timeline is planned on the shop's clock (it unfolds in :mod:`services.orders.tracking`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.orders.carriers import check_tracking
from services.orders.models import Order, OrderLine, Product, Shipment, ShippingTemplate, TrackingEvent, new_id
from services.orders.order_state import load_order, next_state, order_ref, require_state
from services.orders.shipping_rates import rules_for
from services.orders.timeline import plan
from services.orders.tracking import load_shipment
from shoplab.errors import InvalidInput
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

RESHIP_REASONS = ("lost", "damaged", "returned_to_sender", "wrong_item", "missing_parts", "exchange")


def ship_order(
    session: Session, ctx: ShopContext, order_id: str, *, carrier: str, tracking_no: str, shipped_by: str
) -> Shipment:
    """Ship a paid order; shipping after its ``ship_by`` time makes the parcel late."""
    now = ctx.shop_now
    order = load_order(session, ctx.id, order_id, lock=True)
    new_state = next_state(order, "ship")
    late = order.ship_due_at is not None and now > order.ship_due_at
    shipment = _dispatch(
        session, ctx, order, carrier=carrier, tracking_no=tracking_no, shipped_by=shipped_by, late=late,
        kind="original", reason=None, replaces=None,
    )  # fmt: skip
    order.state = new_state
    order.shipped_at = now
    publish(
        session,
        "order.shipped",
        shop_id=ctx.id,
        payload={
            **order_ref(order),
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_no": shipment.tracking_no,
            "shipped_at": now,
            "late": late,
            "shipped_by": shipped_by,
            "ship_by": order.ship_due_at,
        },
    )
    return shipment


def reship(
    session: Session,
    ctx: ShopContext,
    order_id: str,
    *,
    carrier: str,
    tracking_no: str,
    reason: str,
    replaces_shipment_id: str | None,
    shipped_by: str,
    kind: str = "reshipment",
    order: Order | None = None,
) -> Shipment:
    """A replacement parcel (lost, damaged, wrong item, an exchange). It is not a late shipment: the order's
    promise was kept or broken by its first parcel."""
    order = order or load_order(session, ctx.id, order_id, lock=True)
    require_state(order, "reship")
    if replaces_shipment_id is not None:
        load_shipment(session, ctx.id, order.id, replaces_shipment_id)
    shipment = _dispatch(
        session, ctx, order, carrier=carrier, tracking_no=tracking_no, shipped_by=shipped_by, late=False,
        kind=kind, reason=reason, replaces=replaces_shipment_id,
    )  # fmt: skip
    publish(
        session,
        "order.reshipped",
        shop_id=ctx.id,
        payload={
            **order_ref(order),
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_no": shipment.tracking_no,
            "reason": reason,
            "replaces_shipment_id": replaces_shipment_id,
            "shipped_by": shipped_by,
            "shipped_at": ctx.shop_now,
        },
    )
    return shipment


def _dispatch(
    session: Session,
    ctx: ShopContext,
    order: Order,
    *,
    carrier: str,
    tracking_no: str,
    shipped_by: str | None,
    late: bool,
    kind: str,
    reason: str | None,
    replaces: str | None,
) -> Shipment:
    """A parcel leaves now: checked (one of the shop's carriers, its format, a number not used before), recorded,
    and its timeline planned."""
    tracking_no = check_tracking(carrier, tracking_no, ctx.profile["carriers"])
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
        shipped_at=ctx.shop_now,
        shipped_by=shipped_by,
        late=late,
        damaged=False,
    )
    session.add(shipment)
    _plan_timeline(session, ctx, order, shipment)
    return shipment


def _check_unused(session: Session, shop_id: str, carrier: str, tracking_no: str) -> None:
    used = session.scalar(
        select(Shipment.order_id).where(
            Shipment.shop_id == shop_id, Shipment.carrier == carrier, Shipment.tracking_no == tracking_no
        )
    )
    if used is not None:
        raise InvalidInput("this tracking number was already used", {"tracking_no": [f"already used on order {used}"]})


def _plan_timeline(session: Session, ctx: ShopContext, order: Order, shipment: Shipment) -> None:
    """The parcel's steps, each due at its planned shop time, seeded by the parcel so it always tells one story."""
    origin = ctx.profile["orders"]["ship_from"]
    days_min, days_max = transit_days(session, order, shipment.carrier)
    steps = plan(
        seed=f"{shipment.carrier}:{shipment.tracking_no}",
        shipped_at=shipment.shipped_at,
        cross_border=ctx.profile["market"] == "cross_border",
        days_min=days_min,
        days_max=days_max,
        origin=f"{origin['city']} {origin.get('city_zh', '')}, {origin['country']}".replace(" ,", ","),
        destination=f"{order.address.get('city', '')}, {order.address['country']}",
        tracking=ctx.profile["orders"].get("tracking", {}),
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
    offers: list[Any] = [rules_for(template, order.address["country"]).get(carrier) for template in rules]
    if not offers or None in offers:
        return order.delivery_days_min, order.delivery_days_max
    return max(o["days_min"] for o in offers), max(o["days_max"] for o in offers)
