"""Opening a shop in the orders service for a test: the real ``shop.opened`` handler, through the consumer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shoplab.eventbus.envelope import make_event
from shoplab.shops.clock import ShopClock

AGENT = "agent-li"

BUYERS = {
    "taobao": {
        "customer_id": "c-wang",
        "name": "王小明",
        "country": "CN",
        "timezone": "Asia/Shanghai",
        "language": "zh",
    },
    "amazon": {
        "customer_id": "c-liam",
        "name": "Liam Carter",
        "country": "US",
        "timezone": "America/Los_Angeles",
        "language": "en",
    },
    "aliexpress": {
        "customer_id": "c-emma",
        "name": "Emma Johnson",
        "country": "US",
        "timezone": "America/New_York",
        "language": "en",
    },
}
ADDRESSES = {
    "taobao": {
        "recipient": "王小明",
        "phone": "13800138000",
        "line1": "西湖区文三路 90 号",
        "city": "杭州",
        "country": "CN",
    },
    "amazon": {"recipient": "Liam Carter", "line1": "1 Market St", "city": "San Francisco", "country": "US"},
    "aliexpress": {
        "recipient": "Emma Johnson",
        "line1": "350 Fifth Avenue",
        "city": "New York",
        "region": "NY",
        "postcode": "10118",
        "country": "US",
    },
}


def open_shop(
    stack, platform: str = "taobao", *, speed: float = 1.0, sim_start: datetime | None = None, paused: bool = False
) -> str:
    """Open a shop in the orders service through its real handler; the shop's clock starts at ``sim_start``
    (default: a weekday at 10:00 in Shanghai, so reminder quiet hours do not get in the way)."""
    shop_id = f"s{uuid.uuid4().hex[:10]}"
    wall = datetime.now(UTC)
    start = sim_start or datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 21:00 in New York
    clock = ShopClock(wall_anchor=wall, sim_anchor=start, speed=speed, paused=paused)
    event = make_event(
        "shop.opened",
        shop_id=shop_id,
        source="gateway",
        payload={
            "shop_id": shop_id,
            "name": f"Test {platform} 测试店",
            "platform": platform,
            "currency": "CNY" if platform == "taobao" else "USD",
            "class_id": None,
            "clock": clock.to_dict(),
        },
    )
    runtime = stack.runtime("orders")
    assert runtime.consumer.handle(runtime.consumer.parse(event.to_message())) == "handled"
    return shop_id


def move_clock(stack, shop_id: str, *, to: datetime | None = None, by: timedelta | None = None) -> datetime:
    """Jump the orders service's copy of the shop clock (what ``shop.clock_changed`` does), paused there."""
    from shoplab.shops.replica import ShopCopy

    with stack.runtime("orders").db.writing() as session:
        shop = session.get(ShopCopy, shop_id)
        target = to or shop.clock.now() + (by or timedelta(0))
        shop.sim_anchor = target
        shop.wall_anchor = datetime.now(UTC)
        shop.paused = True
        shop.clock_version += 1
    return target


DEFAULT_LINES = {
    "taobao": [{"sku": "TB1001-BLACK-M", "quantity": 2}],
    "aliexpress": [{"sku": "AE2002-WHITE", "quantity": 1}],
    "amazon": [{"sku": "AM3019-BLACK", "quantity": 1}],
}


def order_body(platform: str = "taobao", lines: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    default = DEFAULT_LINES[platform]
    return {
        "buyer": BUYERS[platform],
        "address": ADDRESSES[platform],
        "lines": lines or default,
        **extra,
    }


def place(stack, shop_id: str, platform: str = "taobao", **kw: Any) -> dict[str, Any]:
    response = stack.client("orders").post(f"/shops/{shop_id}/orders", json=order_body(platform, **kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pay(stack, shop_id: str, order_id: str, method: str = "alipay") -> dict[str, Any]:
    response = stack.client("orders").post(f"/shops/{shop_id}/orders/{order_id}/payments", json={"method": method})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def outbox(stack, shop_id: str, event_type: str | None = None) -> list[dict[str, Any]]:
    """The events the orders service wrote for this shop, oldest first."""
    import json

    from sqlalchemy import select

    from shoplab.eventbus.tables import OutboxMessage

    stmt = select(OutboxMessage).where(OutboxMessage.shop_id == shop_id).order_by(OutboxMessage.created_wall_at)
    if event_type:
        stmt = stmt.where(OutboxMessage.type == event_type)
    with stack.runtime("orders").db.reading() as session:
        return [json.loads(row.message) for row in session.scalars(stmt)]


def snapshot(stack) -> dict[str, int]:
    """Row counts of every orders table, the outbox and the total stock: equal before and after a refused request
    means nothing was half-written."""
    from sqlalchemy import func, select

    from services.orders.models import Base, Sku
    from shoplab.eventbus.tables import OutboxMessage

    with stack.runtime("orders").db.reading() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }
        counts["outbox"] = session.scalar(select(func.count()).select_from(OutboxMessage))
        counts["stock"] = session.scalar(select(func.sum(Sku.stock)))
    return counts


def set_stock(stack, shop_id: str, sku: str, units: int) -> None:
    from sqlalchemy import update

    from services.orders.models import Sku

    with stack.runtime("orders").db.writing() as session:
        session.execute(update(Sku).where(Sku.shop_id == shop_id, Sku.sku == sku).values(stock=units))


def ship(stack, shop_id: str, order_id: str, carrier: str = "SF", tracking_no: str = "SF1403716928374"):
    return stack.client("orders").post(
        f"/shops/{shop_id}/orders/{order_id}/shipments",
        json={"carrier": carrier, "tracking_no": tracking_no, "shipped_by": AGENT},
    )


def tracking_no(platform: str, carrier: str, *, calm: bool = True, skip: int = 0) -> str:
    """A well-formed tracking number of ``carrier`` whose planned timeline has no seeded exception (``calm``) or
    has one: timelines are seeded by the parcel, so a test picks its parcel's story deterministically."""
    from datetime import UTC, datetime

    from services.orders.carriers import carriers
    from services.orders.timeline import plan
    from shoplab.shops.profiles import load_profile

    example = carriers()[carrier]["example"]
    digits = [i for i, ch in enumerate(example) if ch.isdigit()][-4:]
    tracking = load_profile(platform)["orders"]["tracking"]
    for n in range(10_000):
        chars = list(example)
        for position, digit in zip(digits, f"{n:04d}", strict=True):
            chars[position] = digit
        candidate = "".join(chars)
        steps = plan(
            seed=f"{carrier}:{candidate}", shipped_at=datetime.now(UTC), cross_border=True, days_min=1, days_max=2,
            origin="", destination="", tracking=tracking,
        )  # fmt: skip
        if any(step.kind == "exception" for step in steps) != calm:
            if skip == 0:
                return candidate
            skip -= 1
    raise AssertionError(f"no {'calm' if calm else 'eventful'} {carrier} number found")
