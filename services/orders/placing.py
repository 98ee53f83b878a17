"""Placing orders, in two steps the web process's order writer takes a round of orders at a time.

1. **Draft** (:func:`draft_orders`, reads only): each request is checked against the catalog rows read for its
   round and priced on its shop's clock — lines, shipping quote, order number — and its ``order.placed`` event
   checked against its contract. An order that cannot be placed (unknown shop or SKU, no shipping to its country)
   gets its error, alone.
2. **Record** (:func:`record_orders`, one write transaction): the stock of every draft is reserved, each all or
   nothing, and the drafts that got theirs are inserted with their lines and their events.

Drafting runs before the write transaction, so the write lock is held for the stock and the inserts alone. Prices,
weights and templates do not change while an order is placed; stock does, and is checked when it is reserved.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from services.orders import stock
from services.orders.models import Order, OrderLine, Product, ShippingTemplate, Sku, new_id
from services.orders.order_state import UNPAID
from services.orders.shipping_rates import Quote, quote
from shoplab.contracts.money import wire
from shoplab.errors import Conflict, InvalidInput
from shoplab.eventbus.envelope import Event, make_event
from shoplab.eventbus.outbox import record
from shoplab.shops.clock import wall_now as read_wall_clock
from shoplab.shops.context import ShopContext
from shoplab.shops.replica import get_shops, unknown_shop

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
INSERT_ORDER = insert(Order.__table__)
INSERT_LINES = insert(OrderLine.__table__)
BUYER_FIELDS = ("customer_id", "name", "country", "timezone", "language")

Catalog = Mapping[tuple[str, str], Row]  # (shop id, SKU) -> its catalog row


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
    conn: Connection | Session,
    requests: list[OrderRequest],
    *,
    source: str,
    wall_now: datetime | None = None,
    known: CatalogRows | None = None,
) -> list[OrderDraft | Exception]:
    """Check and price several orders, each on its own shop's clock, with one read of their shops and one of their
    catalog rows (none when ``known`` holds them all); each request gets its draft or its own error."""
    wall = wall_now or read_wall_clock()  # one moment for the round
    shops = get_shops(conn, {request.shop_id for request in requests})
    keys = {(r.shop_id, line["sku"]) for r in requests if r.shop_id in shops for line in r.lines}
    catalog = known.read(conn, keys) if known is not None else read_catalog(conn, keys)
    contexts: dict[str, ShopContext] = {}
    outcomes: list[OrderDraft | Exception] = []
    for request in requests:
        try:
            if request.shop_id not in contexts:  # inside the try: a shop whose profile fails refuses its own orders
                if request.shop_id not in shops:
                    raise unknown_shop(request.shop_id)
                contexts[request.shop_id] = ShopContext.of(shops[request.shop_id], wall)
            outcomes.append(price_order(contexts[request.shop_id], request, catalog, source=source))
        except Exception as exc:  # this order's fault (or a bug it met): the others of the round go on
            outcomes.append(exc)
    return outcomes


def read_catalog(conn: Connection | Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Row]:
    """The catalog rows of these (shop id, SKU) pairs that exist, by pair."""
    if not keys:
        return {}
    return {(row.shop_id, row.sku): row for row in conn.execute(CATALOG_ROWS, {"keys": sorted(keys)})}


class CatalogRows:
    """The catalog rows a process has read, kept for the rounds after: a shop's products, SKUs, prices, weights and
    shipping templates never change once the shop is stocked (only stock does, and it is read under the write lock,
    :func:`stock.reserve`). A row is read again after ``max_age`` seconds all the same, so a catalog that one day
    changes is seen within that time; a key not found is looked for again every round. Used by one thread."""

    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._rows: dict[tuple[str, str], tuple[Row, float]] = {}

    def read(self, conn: Connection | Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Row]:
        now = time.monotonic()
        stale = {key for key in keys if key not in self._rows or now - self._rows[key][1] > self.max_age}
        if stale:
            found = read_catalog(conn, stale)
            for key in stale:  # a row gone since is forgotten
                self._rows.pop(key, None)
            self._rows.update((key, (row, now)) for key, row in found.items())
        return {key: self._rows[key][0] for key in keys if key in self._rows}


def price_order(ctx: ShopContext, request: OrderRequest, catalog: Catalog, *, source: str) -> OrderDraft:
    """One order priced at the shop's now: its catalog rows, its shipping, its rows and its checked event."""
    items = catalog_items(ctx.id, request.lines, catalog)
    shipping = quote_shipping(request, items)
    order = order_row(ctx, request, items, shipping)
    lines = line_rows(order, request.lines, items)
    # checked here, before the write lock, so a payload that breaks its contract refuses this order alone
    event = make_event("order.placed", shop_id=ctx.id, source=source, payload=placed_payload(order, lines, request))
    return OrderDraft(shop_id=ctx.id, order=order, lines=lines, event=event)


def catalog_items(shop_id: str, lines: list[dict[str, Any]], catalog: Catalog) -> dict[str, Row]:
    """The catalog row of each SKU ordered, by SKU; a SKU listed twice or unknown in the shop is a 422."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line["sku"] in seen:
            raise InvalidInput(
                f"SKU {line['sku']} is listed twice", {"lines": {str(index): {"sku": ["listed twice; raise quantity"]}}}
            )
        seen.add(line["sku"])
    unknown = {
        str(i): {"sku": ["unknown SKU in this shop"]}
        for i, line in enumerate(lines)
        if (shop_id, line["sku"]) not in catalog
    }
    if unknown:
        raise InvalidInput("unknown SKU", {"lines": unknown})
    return {code: catalog[(shop_id, code)] for code in seen}


def quote_shipping(request: OrderRequest, items: Mapping[str, Row]) -> Quote:
    """The fee and delivery range of the lines' shipping templates, each template weighing its lines together."""
    weights: dict[str, int] = {}
    templates: dict[str, Any] = {}
    for line in request.lines:
        item = items[line["sku"]]
        weights[item.shipping_template] = weights.get(item.shipping_template, 0) + item.weight_grams * line["quantity"]
        templates[item.shipping_template] = item.rules
    return quote(templates, weights, request.address["country"], request.shipping_carrier)


def order_row(ctx: ShopContext, request: OrderRequest, items: Mapping[str, Row], shipping: Quote) -> dict[str, Any]:
    order_id = new_id()
    buyer = request.buyer
    items_cents = sum(items[line["sku"]].price_cents * line["quantity"] for line in request.lines)
    return {
        "id": order_id,
        "shop_id": ctx.id,
        "order_no": order_number(ctx.shop_now, order_id),
        "customer_id": buyer["customer_id"],
        "buyer_name": buyer["name"],
        "buyer_country": buyer["country"],
        "buyer_timezone": buyer["timezone"],
        "buyer_language": buyer["language"],
        "address": request.address,
        "state": UNPAID,
        "currency": ctx.currency,
        "items_cents": items_cents,
        "shipping_fee_cents": shipping.fee_cents,
        "total_cents": items_cents + shipping.fee_cents,
        "paid_cents": 0,
        "refunded_cents": 0,
        "shipping_carrier": shipping.carrier,
        "delivery_days_min": shipping.days_min,
        "delivery_days_max": shipping.days_max,
        "placed_at": ctx.shop_now,
        "pay_due_at": ctx.shop_now + timedelta(hours=ctx.profile["payment_timeout_hours"]),
        "reminder_count": 0,
        "created_wall_at": ctx.wall_now,
    }


def order_number(shop_now: datetime, order_id: str) -> str:
    """18 digits like a marketplace's: the shop date, then 12 digits of the order's random id (among 10,000 orders
    of one shop in one day the odds of a clash are about 1 in 20,000; the writer then refuses that order alone)."""
    return f"{shop_now:%y%m%d}{int(order_id[:14], 16) % 10**12:012d}"


def line_rows(order: dict[str, Any], lines: list[dict[str, Any]], items: Mapping[str, Row]) -> list[dict[str, Any]]:
    return [
        {
            "shop_id": order["shop_id"],
            "order_id": order["id"],
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


def placed_payload(order: dict[str, Any], lines: list[dict[str, Any]], request: OrderRequest) -> dict[str, Any]:
    return {
        "order_id": order["id"],
        "order_no": order["order_no"],
        "customer_id": order["customer_id"],
        "buyer": {key: request.buyer[key] for key in BUYER_FIELDS},
        "lines": [
            {
                "sku": row["sku"],
                "product_id": row["product_id"],
                "title": row["title"],
                "quantity": row["quantity"],
                "unit_price": wire(row["unit_price_cents"]),
            }
            for row in lines
        ],
        "shipping_fee": wire(order["shipping_fee_cents"]),
        "total": wire(order["total_cents"]),
        "currency": order["currency"],
        "placed_at": order["placed_at"],
        "pay_by": order["pay_due_at"],
    }


def record_orders(session: Session, drafts: list[OrderDraft]) -> list[Conflict | None]:
    """Record several drafted orders in one transaction, each on its own: an order whose stock runs short is refused
    (its outcome is the Conflict) and leaves the stock as it found it; the others are inserted with their events."""
    outcomes = stock.reserve(session, [(draft.shop_id, draft.lines) for draft in drafts])
    placed = [draft for draft, refused in zip(drafts, outcomes, strict=True) if refused is None]
    if placed:
        record(session, [draft.event for draft in placed])
        conn = session.connection()  # Core inserts: no ORM execution layer
        conn.execute(INSERT_ORDER, [draft.order for draft in placed])
        conn.execute(INSERT_LINES, [line for draft in placed for line in draft.lines])
    return outcomes
