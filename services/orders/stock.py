"""Stock: reserved when an order is placed, released when it is cancelled."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from services.orders.models import Order, OrderLine, Sku
from shoplab.errors import Conflict

SKUS = Sku.__table__
# Built once: order placement is the hot path, and building a statement costs more than running it on SQLite.
RESERVE = (
    update(SKUS)
    .where(SKUS.c.shop_id == bindparam("in_shop"), SKUS.c.sku == bindparam("the_sku"), SKUS.c.stock >= bindparam("qty"))
    .values(stock=SKUS.c.stock - bindparam("qty"))
)


GIVE_BACK = (
    update(SKUS)
    .where(SKUS.c.shop_id == bindparam("in_shop"), SKUS.c.sku == bindparam("the_sku"))
    .values(stock=SKUS.c.stock + bindparam("qty"))
)


@dataclass(frozen=True)
class Shortage:
    """Why an order cannot have its lines: the first line short of stock, and how many units were left for it."""

    line_index: int
    sku: str
    available: int


def allocate(
    available: dict[tuple[str, str], int], orders: list[tuple[str, list[dict]]]
) -> tuple[list[Shortage | None], dict[tuple[str, str], int]]:
    """Give each order, in the order given, all of its lines or none: an order that cannot have every line takes
    nothing, so the orders after it find the stock as it was. ``available`` is keyed by (shop id, SKU); returns each
    order's shortage (None when it was served) and the units taken per SKU."""
    left = dict(available)
    taken: dict[tuple[str, str], int] = {}
    outcomes: list[Shortage | None] = []
    for shop_id, lines in orders:
        wants: dict[tuple[str, str], int] = {}
        shortage = None
        for index, line in enumerate(lines):
            key = (shop_id, line["sku"])
            wants[key] = wants.get(key, 0) + line["quantity"]
            if wants[key] > left.get(key, 0):
                shortage = Shortage(index, line["sku"], left.get(key, 0) - (wants[key] - line["quantity"]))
                break
        if shortage is None:
            for key, units in wants.items():
                left[key] -= units
                taken[key] = taken.get(key, 0) + units
        outcomes.append(shortage)
    return outcomes, taken


# The SKUs a round of orders wants, locked in one order (PostgreSQL; SQLite's writer holds the whole database).
STOCK_OF = (
    select(SKUS.c.shop_id, SKUS.c.sku, SKUS.c.stock)
    .where(tuple_(SKUS.c.shop_id, SKUS.c.sku).in_(bindparam("keys", expanding=True)))
    .order_by(SKUS.c.shop_id, SKUS.c.sku)
    .with_for_update()
)


def reserve(session: Session, orders: list[tuple[str, list[dict]]]) -> list[Conflict | None]:
    """Reserve the lines of several orders (shop id, lines) in the session's write transaction, each all or nothing;
    returns each order's Conflict when it was refused for stock.

    The stock of every SKU wanted is read under the write lock (row locks on PostgreSQL), shared out in Python
    (:func:`allocate`) and taken with one UPDATE per SKU, conditional on ``stock >= units`` all the same: of two
    buyers racing for the last unit, the second is refused, on any backend, whichever process serves it."""
    keys = sorted({(shop_id, line["sku"]) for shop_id, lines in orders for line in lines})
    if not keys:
        return [None] * len(orders)
    conn = session.connection()  # Core statements straight on the transaction's connection: no ORM execution layer
    available = {(row.shop_id, row.sku): row.stock for row in conn.execute(STOCK_OF, {"keys": keys})}
    shortages, taken = allocate(available, orders)
    if taken:
        params = [{"in_shop": shop, "the_sku": sku, "qty": units} for (shop, sku), units in sorted(taken.items())]
        updated = conn.execute(RESERVE, params).rowcount
        if conn.dialect.supports_sane_multi_rowcount and updated != len(params):
            raise RuntimeError(f"stock of {len(params) - updated} SKU(s) changed under the write lock")
    return [
        None
        if shortage is None
        else Conflict(
            f"only {shortage.available} of {shortage.sku} left",
            {"lines": {str(shortage.line_index): {"quantity": [f"only {shortage.available} left in stock"]}}},
            available=shortage.available,
            sku=shortage.sku,
        )
        for shortage in shortages
    ]


def release(session: Session, order: Order) -> None:
    for line in session.scalars(
        select(OrderLine).where(OrderLine.shop_id == order.shop_id, OrderLine.order_id == order.id)
    ):
        session.execute(GIVE_BACK, {"in_shop": order.shop_id, "the_sku": line.sku, "qty": line.quantity})
