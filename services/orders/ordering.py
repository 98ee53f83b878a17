"""Placing orders (stock reserved atomically), cancelling them (stock released), address changes and completion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.orders import refunds, stock
from services.orders.closing import close_order
from services.orders.models import AddressChange, Order, OrderLine, Product, ShippingTemplate, Sku, new_id
from services.orders.money import from_cents
from services.orders.order_state import (
    DELIVERED,
    PAID,
    UNPAID,
    load_order,
    next_state,
    order_ref,
    require_state,
)
from services.orders.shipping_rates import quote
from shoplab.errors import Conflict, InvalidInput
from shoplab.eventbus.envelope import Event, make_event
from shoplab.eventbus.outbox import publish, record, source_of
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import ShopCopy, get_shops, unknown_shop

SKUS, PRODUCTS, TEMPLATES = Sku.__table__, Product.__table__, ShippingTemplate.__table__
# The SKUs wanted by a round of orders (shop id, SKU), with their products and shipping templates: one query built
# once, on the tables (rows, not ORM objects: loading those costs more than the query).
CATALOG_ROWS = (
    select(
        SKUS.c.shop_id, SKUS.c.sku, SKUS.c.options, SKUS.c.price_cents, PRODUCTS.c.product_id, PRODUCTS.c.title,
        PRODUCTS.c.title_zh, PRODUCTS.c.weight_grams, PRODUCTS.c.shipping_template, TEMPLATES.c.rules,
    )
    .join(PRODUCTS, (PRODUCTS.c.shop_id == SKUS.c.shop_id) & (PRODUCTS.c.product_id == SKUS.c.product_id))
    .join(
        TEMPLATES, (TEMPLATES.c.shop_id == PRODUCTS.c.shop_id) & (TEMPLATES.c.code == PRODUCTS.c.shipping_template)
    )
    .where(tuple_(SKUS.c.shop_id, SKUS.c.sku).in_(bindparam("keys", expanding=True)))
)  # fmt: skip


@dataclass(frozen=True)
class OrderRequest:
    """What a buyer asks for, its fields already checked (the API's ``OrderIn``)."""

    shop_id: str
    buyer: dict[str, Any]
    address: dict[str, Any]
    lines: list[dict[str, Any]]
    shipping_carrier: str | None = None


@dataclass(frozen=True)
class OrderDraft:
    """An order checked and priced against the catalog, ready to be recorded in one short write transaction."""

    shop_id: str
    order: dict[str, Any]  # the orders row
    lines: list[dict[str, Any]]  # the order_lines rows
    event: Event  # order.placed, its payload already checked against its contract


def draft_orders(
    conn: Connection | Session, requests: list[OrderRequest], *, source: str
) -> list[OrderDraft | Exception]:
    """Check and price several orders, each on its own shop's clock, with one read of their shops and one of their
    catalogs; an order that cannot be placed (unknown shop or SKU, no shipping to its country) gets its error.

    Only reads: it runs before the write transaction, so the write lock is held for the stock reservation and the
    inserts alone. Prices, weights and templates do not change while an order is placed; stock does, and is checked
    atomically when it is reserved (:func:`record_orders`)."""
    shops = get_shops(conn, {request.shop_id for request in requests})
    catalog = read_catalog(conn, {(r.shop_id, line["sku"]) for r in requests if r.shop_id in shops for line in r.lines})
    outcomes: list[OrderDraft | Exception] = []
    for request in requests:
        try:
            shop = shops.get(request.shop_id)
            if shop is None:
                raise unknown_shop(request.shop_id)
            profile = load_profile(shop.platform or "")
            outcomes.append(price_order(shop, profile, request, catalog, now=shop.clock.now(), source=source))
        except Exception as exc:  # this order's fault (or a bug it met): the others of the round go on
            outcomes.append(exc)
    return outcomes


def draft_order(
    session: Session,
    shop: ShopCopy,
    profile: dict[str, Any],
    *,
    buyer: dict[str, Any],
    address: dict[str, Any],
    lines: list[dict[str, Any]],
    shipping_carrier: str | None,
    now: datetime,
) -> OrderDraft:
    """One order of a shop already read, at the given shop time (timers, scripts and tests)."""
    request = OrderRequest(shop.id, buyer, address, lines, shipping_carrier)
    catalog = read_catalog(session, {(shop.id, line["sku"]) for line in lines})
    return price_order(shop, profile, request, catalog, now=now, source=source_of(session))


def read_catalog(conn: Connection | Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The catalog rows of these (shop id, SKU) pairs that exist, by pair."""
    if not keys:
        return {}
    return {(row.shop_id, row.sku): row for row in conn.execute(CATALOG_ROWS, {"keys": sorted(keys)})}


def price_order(
    shop: ShopCopy,
    profile: dict[str, Any],
    request: OrderRequest,
    catalog: Mapping[tuple[str, str], Any],
    *,
    now: datetime,
    source: str,
) -> OrderDraft:
    """Check the lines against the catalog rows read for them (unknown SKUs, duplicates), price them, quote the
    shipping and build the ``order.placed`` event (its payload checked against its contract)."""
    buyer, address, lines = request.buyer, request.address, request.lines
    wanted: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line["sku"] in wanted:
            raise InvalidInput(
                f"SKU {line['sku']} is listed twice", {"lines": {str(index): {"sku": ["listed twice; raise quantity"]}}}
            )
        wanted[line["sku"]] = line["quantity"]
    unknown = {
        str(i): {"sku": ["unknown SKU in this shop"]}
        for i, line in enumerate(lines)
        if (shop.id, line["sku"]) not in catalog
    }
    if unknown:
        raise InvalidInput("unknown SKU", {"lines": unknown})
    items = {code: catalog[(shop.id, code)] for code in wanted}

    weights: dict[str, int] = {}
    templates: dict[str, Any] = {}
    for code, quantity in wanted.items():
        item = items[code]
        weights[item.shipping_template] = weights.get(item.shipping_template, 0) + item.weight_grams * quantity
        templates[item.shipping_template] = item.rules
    shipping = quote(templates, weights, address["country"], request.shipping_carrier)

    order_id = new_id()
    items_cents = sum(items[line["sku"]].price_cents * line["quantity"] for line in lines)
    order = {
        "id": order_id,
        "shop_id": shop.id,
        # 18 digits like a marketplace's: the shop date, then 12 digits of the order's random id (among 10,000 orders
        # of one shop in one day the odds of a clash are about 1 in 20,000; the writer then refuses that order alone)
        "order_no": f"{now:%y%m%d}{int(order_id[:14], 16) % 10**12:012d}",
        "customer_id": buyer["customer_id"],
        "buyer_name": buyer["name"],
        "buyer_country": buyer["country"],
        "buyer_timezone": buyer["timezone"],
        "buyer_language": buyer["language"],
        "address": address,
        "state": UNPAID,
        "currency": shop.currency,
        "items_cents": items_cents,
        "shipping_fee_cents": shipping.fee_cents,
        "total_cents": items_cents + shipping.fee_cents,
        "paid_cents": 0,
        "refunded_cents": 0,
        "shipping_carrier": shipping.carrier,
        "delivery_days_min": shipping.days_min,
        "delivery_days_max": shipping.days_max,
        "placed_at": now,
        "pay_by": now + timedelta(hours=profile["payment_timeout_hours"]),
        "reminder_count": 0,
        "created_at": datetime.now(now.tzinfo),
    }
    order_lines = [
        {
            "shop_id": shop.id,
            "order_id": order_id,
            "sku": line["sku"],
            "product_id": items[line["sku"]].product_id,
            "title": items[line["sku"]].title,
            "title_zh": items[line["sku"]].title_zh,
            "options": items[line["sku"]].options,
            "quantity": line["quantity"],
            "unit_price_cents": items[line["sku"]].price_cents,
            "weight_grams": items[line["sku"]].weight_grams,
        }
        for line in lines
    ]
    payload = {
        "order_id": order_id,
        "order_no": order["order_no"],
        "customer_id": buyer["customer_id"],
        "buyer": {k: buyer[k] for k in ("customer_id", "name", "country", "timezone", "language")},
        "lines": [
            {
                "sku": row["sku"],
                "product_id": row["product_id"],
                "title": row["title"],
                "quantity": row["quantity"],
                "unit_price": str(from_cents(row["unit_price_cents"])),
            }
            for row in order_lines
        ],
        "shipping_fee": str(from_cents(shipping.fee_cents)),
        "total": str(from_cents(order["total_cents"])),
        "currency": shop.currency,
        "placed_at": now,
        "pay_by": order["pay_by"],
    }
    event = make_event("order.placed", shop_id=shop.id, source=source, payload=payload)  # checked before the write lock
    return OrderDraft(shop_id=shop.id, order=order, lines=order_lines, event=event)


INSERT_ORDER = insert(Order.__table__)
INSERT_LINES = insert(OrderLine.__table__)


def record_order(session: Session, draft: OrderDraft) -> None:
    """Reserve the stock and insert the order, its lines and its ``order.placed`` event: all or nothing."""
    (refused,) = record_orders(session, [draft])
    if refused is not None:
        raise refused


def record_orders(session: Session, drafts: list[OrderDraft]) -> list[Conflict | None]:
    """Record several drafted orders in one transaction, each on its own: an order whose stock runs short is refused
    (its outcome is the Conflict) and leaves the stock as it found it; the others are inserted with their events."""
    outcomes = stock.reserve(session, [(draft.shop_id, draft.lines) for draft in drafts])
    placed = [draft for draft, refused in zip(drafts, outcomes, strict=True) if refused is None]
    if placed:
        record(session, [draft.event for draft in placed])
        session.execute(INSERT_ORDER, [draft.order for draft in placed])
        session.execute(INSERT_LINES, [line for draft in placed for line in draft.lines])
    return outcomes


def place_order(
    session: Session,
    shop: ShopCopy,
    profile: dict[str, Any],
    *,
    buyer: dict[str, Any],
    address: dict[str, Any],
    lines: list[dict[str, Any]],
    shipping_carrier: str | None,
    now: datetime,
) -> OrderDraft:
    """Draft and record in one session (timers, scripts and tests); the API does the two in separate sessions."""
    draft = draft_order(
        session, shop, profile, buyer=buyer, address=address, lines=lines, shipping_carrier=shipping_carrier, now=now
    )
    record_order(session, draft)
    return draft


def cancel(session: Session, order: Order, *, reason: str, by: str | None, note: str, now: datetime) -> Order:
    """Cancel an unpaid or paid (not yet shipped) order: stock goes back; a paid order is refunded in full."""
    if order.state == PAID:
        next_state(order, "cancel")  # checked before the refund is written
        refunds.refund_remaining(session, order, by=by, note=note, now=now)
    return close_order(session, order, reason=reason, by=by, now=now)


def cancel_order(
    session: Session, shop_id: str, order_id: str, *, by: str, agent_id: str | None, note: str, now: datetime
) -> Order:
    order = load_order(session, shop_id, order_id, lock=True)
    return cancel(session, order, reason=by, by=agent_id or by, note=note, now=now)


def change_address(
    session: Session, shop_id: str, order_id: str, *, address: dict[str, Any], changed_by: str, now: datetime
) -> Order:
    """Before shipping only; the destination country stays (the fee and delivery time were quoted for it)."""
    order = load_order(session, shop_id, order_id, lock=True)
    require_state(order, "change_address")
    if address["country"] != order.address["country"]:
        raise InvalidInput(
            "the destination country cannot change after the order was placed",
            {"address": {"country": [f"must stay {order.address['country']}; cancel and order again"]}},
        )
    session.add(
        AddressChange(
            shop_id=shop_id,
            order_id=order.id,
            old_address=order.address,
            new_address=address,
            changed_by=changed_by,
            changed_at=now,
        )
    )
    order.address = address
    publish(
        session,
        "order.address_changed",
        shop_id=shop_id,
        payload={**order_ref(order), "address": address, "changed_by": changed_by, "changed_at": now},
    )
    return order


def complete(session: Session, order: Order, *, by: str, now: datetime) -> Order:
    order.state = next_state(order, "complete")
    order.completed_at = now
    publish(
        session,
        "order.completed",
        shop_id=order.shop_id,
        payload={**order_ref(order), "completed_at": now, "by": by},
    )
    return order


def confirm_receipt(session: Session, shop_id: str, order_id: str, *, now: datetime) -> Order:
    return complete(session, load_order(session, shop_id, order_id, lock=True), by="buyer", now=now)


def cancel_expired(session: Session, shop_id: str, now: datetime) -> list[str]:
    """Timer rule: unpaid orders past their pay-by time are cancelled and their stock released."""
    expired = session.scalars(
        select(Order)
        .where(Order.shop_id == shop_id, Order.state == UNPAID, Order.pay_by <= now)
        .order_by(Order.pay_by)
        .limit(500)
        .with_for_update(skip_locked=True)
    ).all()
    for order in expired:
        cancel(session, order, reason="unpaid_timeout", by=None, note="", now=now)
    return [order.id for order in expired]


def complete_delivered(session: Session, shop_id: str, auto_complete_days: int, now: datetime) -> list[str]:
    """Timer rule: a delivered order the buyer did not confirm completes after the profile's window (自动确认收货)."""
    due = session.scalars(
        select(Order)
        .where(
            Order.shop_id == shop_id,
            Order.state == DELIVERED,
            Order.delivered_at <= now - timedelta(days=auto_complete_days),
        )
        .limit(500)
        .with_for_update(skip_locked=True)
    ).all()
    for order in due:
        complete(session, order, by="auto", now=now)
    return [order.id for order in due]
