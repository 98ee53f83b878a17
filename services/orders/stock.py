"""Stock: reserved when an order is placed, released when it is cancelled."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
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


def reserve(session: Session, shop_id: str, lines: list[dict]) -> None:
    """One conditional UPDATE per line (``stock >= quantity``): of two buyers racing for the last unit, the second
    finds no row to update and is refused, on any backend, without a read-then-write window.

    All or nothing: a line that cannot be had gives back the lines taken before it, so an order refused inside a
    transaction that records other orders leaves the stock as it found it."""
    for index, line in enumerate(lines):
        taken = session.execute(RESERVE, {"in_shop": shop_id, "the_sku": line["sku"], "qty": line["quantity"]}).rowcount
        if taken != 1:
            for given in lines[:index]:
                session.execute(GIVE_BACK, {"in_shop": shop_id, "the_sku": given["sku"], "qty": given["quantity"]})
            available = session.scalar(select(Sku.stock).where(Sku.shop_id == shop_id, Sku.sku == line["sku"]))
            raise Conflict(
                f"only {available} of {line['sku']} left",
                {"lines": {str(index): {"quantity": [f"only {available} left in stock"]}}},
                available=available,
                sku=line["sku"],
            )


def release(session: Session, order: Order) -> None:
    for line in session.scalars(
        select(OrderLine).where(OrderLine.shop_id == order.shop_id, OrderLine.order_id == order.id)
    ):
        session.execute(GIVE_BACK, {"in_shop": order.shop_id, "the_sku": line.sku, "qty": line.quantity})
