"""Business rules of the orders service against a real (file) SQLite database with the service's tables: no web
layer, no worker; events are read back from the outbox rows the rules wrote. Rules are given the shop's context at
the moment a test chooses (``at``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from services.orders.catalog_seed import seed_catalog
from services.orders.models import Base
from services.orders.placing import OrderDraft, OrderRequest, price_order, read_catalog, record_orders
from shoplab.eventbus.tables import BusBase, OutboxMessage
from shoplab.plumbing.database import Database
from shoplab.shops.clock import ShopClock
from shoplab.shops.context import ShopContext
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import ShopCopy

START = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
BUYER = {"customer_id": "c1", "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
ADDRESS = {"recipient": "王小明", "line1": "文三路 90 号", "city": "杭州", "country": "CN"}


@pytest.fixture
def db(tmp_path):
    database = Database("orders", f"sqlite:///{tmp_path / 'orders.sqlite3'}")
    BusBase.metadata.create_all(database.engine)
    Base.metadata.create_all(database.engine)
    yield database
    database.engine.dispose()


def add_shop(db: Database, shop_id: str = "shop1", platform: str = "taobao") -> ShopCopy:
    clock = ShopClock(wall_anchor=START, sim_anchor=START, paused=True)
    with db.writing() as session:
        shop = ShopCopy(
            id=shop_id,
            name="单元测试店",
            platform=platform,
            currency=load_profile(platform)["currency"],
            wall_anchor=clock.wall_anchor,
            sim_anchor=clock.sim_anchor,
            speed=1.0,
            paused=True,
            clock_version=1,
        )
        session.add(shop)
        seed_catalog(session, shop_id, platform)
    return shop


def events(db: Database, event_type: str | None = None) -> list[dict]:
    with db.reading() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.created_wall_at)
        if event_type:
            stmt = stmt.where(OutboxMessage.type == event_type)
        return [json.loads(row.message) for row in session.scalars(stmt)]


def at(shop: ShopCopy, shop_now: datetime, profile: dict[str, Any] | None = None) -> ShopContext:
    """The shop's context at a chosen moment of its clock (and, for tests, the same wall moment)."""
    return ShopContext(shop, profile or load_profile(shop.platform or ""), shop_now, shop_now)


def draft(
    db: Database, ctx: ShopContext, lines: list[dict], buyer: dict = BUYER, address: dict = ADDRESS
) -> OrderDraft:
    """An order priced as the order writer prices it, at the context's moment."""
    request = OrderRequest(ctx.id, buyer, address, lines)
    with db.reading() as session:
        catalog = read_catalog(session, {(ctx.id, line["sku"]) for line in lines})
    return price_order(ctx, request, catalog, source="orders")


def place(db: Database, ctx: ShopContext, lines: list[dict], **kw: Any) -> OrderDraft:
    """An order drafted and recorded as the order writer does it (a round of one); raises what refused it."""
    placed = draft(db, ctx, lines, **kw)
    with db.writing() as session:
        (refused,) = record_orders(session, [placed])
    if refused is not None:
        raise refused
    return placed
