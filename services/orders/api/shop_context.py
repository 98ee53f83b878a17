"""What every orders view needs: the database, the shop's context (``shoplab.shops.context``), the order writer."""

from __future__ import annotations

from services.orders.order_writer import OrderWriter
from shoplab.plumbing.web import current_runtime, db
from shoplab.shops.context import ShopContext, shop_context

__all__ = ["ShopContext", "db", "order_writer", "shop_context"]


def order_writer() -> OrderWriter:
    return current_runtime().parts["orders.writer"]
