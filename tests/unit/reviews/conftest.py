"""Review rules on a real in-memory SQLite database with the reviews service's tables and a fixed shop clock.

Each shop's clock is anchored at T0 with speed 1, so shop time equals wall time: a test moves "now" by passing a
later wall moment to ``ctx`` (``day(16)`` is sixteen days after T0 on both clocks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from services.reviews import order_facts
from services.reviews.models import Base
from services.reviews.reviewing import Written
from shoplab.contracts import CATALOGUE
from shoplab.eventbus.envelope import Event
from shoplab.eventbus.tables import BusBase, OutboxMessage
from shoplab.shops.context import ShopContext, shop_context
from shoplab.shops.replica import ShopCopy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SCORES = {"as_described": 5, "service": 5, "logistics": 5}


def day(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    BusBase.metadata.create_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def open_shop(session: Session, shop_id: str = "s1", platform: str = "taobao") -> ShopCopy:
    shop = ShopCopy(
        id=shop_id, name=f"shop {shop_id}", platform=platform, currency="CNY" if platform == "taobao" else "USD",
        wall_anchor=T0, sim_anchor=T0, speed=1.0, paused=False, clock_version=1, opened_wall_at=T0,
    )  # fmt: skip
    session.add(shop)
    session.flush()
    return shop


def ctx(session: Session, wall: datetime, shop_id: str = "s1") -> ShopContext:
    return shop_context(session, shop_id, wall_now=wall)


def event(event_type: str, shop_id: str, payload: dict[str, Any], source: str = "orders") -> Event:
    """An event as the consumer hands it to a handler: its payload loaded by its contract."""
    loaded = CATALOGUE[event_type].schema().load(payload)
    return Event(type=event_type, shop_id=shop_id, source=source, payload=loaded, occurred_at=T0)


def ref(order_id: str, customer_id: str = "c1") -> dict[str, str]:
    return {"order_id": order_id, "order_no": f"NO-{order_id}", "customer_id": customer_id}


def placed(order_id: str, customer_id: str = "c1", skus: tuple[str, ...] = ("A1",), total: str = "99.00",
           at: datetime = T0, language: str = "zh") -> dict[str, Any]:  # fmt: skip
    lines = [
        {"sku": sku, "product_id": f"p-{sku}", "title": f"商品 {sku}", "quantity": 1, "unit_price": total}
        for sku in skus
    ]
    buyer = {"customer_id": customer_id, "name": "韩梅梅", "country": "CN", "timezone": "Asia/Shanghai",
             "language": language}  # fmt: skip
    return {**ref(order_id, customer_id), "buyer": buyer, "lines": lines, "shipping_fee": "0.00", "total": total,
            "currency": "CNY", "placed_at": at.isoformat(), "pay_by": (at + timedelta(days=1)).isoformat()}  # fmt: skip


def delivered(order_id: str, at: datetime, customer_id: str = "c1") -> dict[str, Any]:
    return {**ref(order_id, customer_id), "shipment_id": "sh1", "delivered_at": at.isoformat()}


def deliver_order(session: Session, order_id: str, *, shop_id: str = "s1", customer_id: str = "c1",
                  skus: tuple[str, ...] = ("A1",), delivered_at: datetime = T0) -> None:  # fmt: skip
    """An order placed and delivered, as the orders service's events tell it."""
    order_facts.on_order_placed(session, event("order.placed", shop_id, placed(order_id, customer_id, skus)))
    order_facts.on_order_delivered(session, event("order.delivered", shop_id, delivered(order_id, delivered_at,
                                                                                       customer_id)))  # fmt: skip
    session.flush()


def written(stars: int | None = 5, text: str = "很好，物流很快", **scores: int) -> Written:
    return Written(text=text, stars=stars, scores={**SCORES, **scores} if stars is not None else {}, photos=[])


def published(session: Session, event_type: str) -> list[dict]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.type == event_type)).all()
    return [json.loads(row.message)["payload"] for row in rows]
