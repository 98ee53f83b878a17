"""Business rules of the service queue on a real in-memory SQLite database and a fixed shop clock.

The shop's clock is anchored at T0 with speed 1, so shop time equals wall time unless a test changes it; every call
is given the shop's context at an explicit wall moment (``shop_at(session, at(seconds))``, as a request, an event or
a timer tick builds it), so reply times and due times are known to the second.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from services.tickets import agents
from services.tickets.models import Base
from services.tickets.policy import Policy, context_and_policy
from shoplab.contracts import CATALOGUE
from shoplab.eventbus.envelope import Event
from shoplab.eventbus.tables import BusBase, OutboxMessage
from shoplab.shops.context import ShopContext, shop_context
from shoplab.shops.replica import ShopCopy

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    BusBase.metadata.create_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


class WallClock:
    """The wall clock as the rules that act "now" read it (event handlers build the shop's context at the moment
    they handle an event); a test moves it with ``set``."""

    def __init__(self) -> None:
        self.now = T0

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def wall_clock(monkeypatch) -> WallClock:
    clock = WallClock()
    monkeypatch.setattr("shoplab.shops.context.read_wall_clock", lambda: clock.now)
    return clock


@pytest.fixture
def handle(session: Session, wall_clock: WallClock):
    """``handle(event_type, payload, t)``: the event reaches its handler (the registry's) at ``at(t)``, which is also
    the moment the handler reads as now."""
    from services.tickets.handlers import HANDLERS

    def handle_at(event_type: str, payload: dict[str, Any], t: float = 0) -> None:
        wall_clock.set(at(t))
        HANDLERS[event_type](session, event(event_type, "s1", payload, at(t)))
        session.flush()

    return handle_at


def open_shop(session: Session, shop_id: str = "s1", platform: str = "taobao", speed: float = 1.0) -> ShopCopy:
    shop = ShopCopy(
        id=shop_id,
        name=f"shop {shop_id}",
        platform=platform,
        currency="CNY" if platform == "taobao" else "USD",
        wall_anchor=T0,
        sim_anchor=T0,
        speed=speed,
        paused=False,
        clock_version=1,
        opened_wall_at=T0,
    )
    session.add(shop)
    session.flush()
    return shop


def seat(session: Session, shop_id: str, agent_id: str, status: str = "online", skills: list[str] | None = None):
    agents.join(session, shop_id, agent_id, agent_id.upper(), skills or [], T0)
    return agents.set_status(session, *shop_at(session, T0, shop_id), agent_id, status)


@pytest.fixture
def shop(session: Session) -> ShopCopy:
    return open_shop(session)


def event(event_type: str, shop_id: str, payload: dict[str, Any], occurred_at: datetime) -> Event:
    """An event as the consumer hands it to a handler: payload loaded by its contract."""
    loaded = CATALOGUE[event_type].schema().load(payload)
    return Event(type=event_type, shop_id=shop_id, source="orders", payload=loaded, occurred_at=occurred_at)


def published(session: Session, event_type: str) -> list[dict]:
    import json

    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.type == event_type)).all()
    return [json.loads(row.message)["payload"] for row in rows]


def placed(order_id: str, customer_id: str, total: str = "99.00", name: str = "李雷") -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_no": f"NO-{order_id}",
        "customer_id": customer_id,
        "buyer": {
            "customer_id": customer_id,
            "name": name,
            "country": "CN",
            "timezone": "Asia/Shanghai",
            "language": "zh",
        },
        "lines": [{"sku": "A1", "product_id": "p1", "title": "保温杯 Thermos", "quantity": 1, "unit_price": total}],
        "shipping_fee": "0.00",
        "total": total,
        "currency": "CNY",
        "placed_at": T0.isoformat(),
        "pay_by": (T0 + timedelta(hours=24)).isoformat(),
    }


def paid(order_id: str, customer_id: str, amount: str = "99.00") -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_no": f"NO-{order_id}",
        "customer_id": customer_id,
        "amount": amount,
        "currency": "CNY",
        "method": "alipay",
        "paid_at": T0.isoformat(),
    }


def ctx(session: Session, wall: datetime, shop_id: str = "s1") -> ShopContext:
    """The shop's context at a wall moment: what a timer tick hands its rule."""
    return shop_context(session, shop_id, wall_now=wall)


def shop_at(session: Session, wall: datetime, shop_id: str = "s1") -> tuple[ShopContext, Policy]:
    """The shop's context and queue policy at a wall moment: what a request or an event builds once."""
    return context_and_policy(session, shop_id, wall_now=wall)
