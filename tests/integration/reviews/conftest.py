"""Setting up a shop and its orders the way the reviews service learns of them: real events through its real
consumer (or, in the bus tests, through another service's outbox and the real relay to the reviews worker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shoplab.eventbus.envelope import make_event, parse_message
from shoplab.eventbus.outbox import publish
from shoplab.eventbus.tables import OutboxMessage
from shoplab.shops.clock import ShopClock

START = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # the shops' clocks stand here (paused) unless a test moves them
SCORES = {"as_described": 5, "service": 5, "logistics": 5}


def deliver(stack, event_type: str, shop_id: str, payload: dict[str, Any], source: str = "orders") -> str:
    """Hand an event to the reviews consumer exactly as its worker would (parsed, inbox, one transaction)."""
    message = make_event(event_type, shop_id=shop_id, source=source, payload=payload).to_message()
    return stack.runtime("reviews").consumer.handle(parse_message(message))


def open_shop(stack, platform: str = "taobao", at: datetime = START) -> str:
    """A shop whose clock stands still at ``at`` (shop time), so windows are known to the second."""
    shop_id = f"s{uuid.uuid4().hex[:10]}"
    clock = ShopClock(wall_anchor=datetime.now(UTC), sim_anchor=at, paused=True).to_dict()
    payload = {"shop_id": shop_id, "name": f"评价测试店 {shop_id}", "platform": platform,
               "currency": "CNY" if platform == "taobao" else "USD", "clock": clock}  # fmt: skip
    assert deliver(stack, "shop.opened", shop_id, payload, source="gateway") == "handled"
    return shop_id


_versions: dict[str, int] = {}


def set_clock(stack, shop_id: str, at: datetime) -> None:
    """The shop's clock moved (paused at ``at``), as ``shop.clock_changed`` from the gateway tells it."""
    _versions[shop_id] = _versions.get(shop_id, 1) + 1
    clock = ShopClock(wall_anchor=datetime.now(UTC), sim_anchor=at, paused=True, version=_versions[shop_id])
    payload = {"shop_id": shop_id, "clock": clock.to_dict()}
    assert deliver(stack, "shop.clock_changed", shop_id, payload, source="gateway") == "handled"


def ref(order_id: str, customer_id: str = "c-wang") -> dict[str, str]:
    return {"order_id": order_id, "order_no": f"NO-{order_id}", "customer_id": customer_id}


def placed(order_id: str, skus: tuple[str, ...] = ("TB1001-BLACK-M",), customer_id: str = "c-wang",
           at: datetime = START, total: str = "128.00") -> dict[str, Any]:  # fmt: skip
    buyer = {"customer_id": customer_id, "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai",
             "language": "zh"}  # fmt: skip
    lines = [{"sku": sku, "product_id": sku.split("-")[0], "title": f"纯棉T恤 {sku}", "quantity": 1,
              "unit_price": total} for sku in skus]  # fmt: skip
    return {**ref(order_id, customer_id), "buyer": buyer, "lines": lines, "shipping_fee": "0.00", "total": total,
            "currency": "CNY", "placed_at": at, "pay_by": at + timedelta(days=1)}  # fmt: skip


def delivered(order_id: str, at: datetime = START, customer_id: str = "c-wang") -> dict[str, Any]:
    return {**ref(order_id, customer_id), "shipment_id": "sh1", "delivered_at": at}


def deliver_order(stack, shop_id: str, order_id: str, *, skus: tuple[str, ...] = ("TB1001-BLACK-M",),
                  customer_id: str = "c-wang", placed_at: datetime = START,
                  delivered_at: datetime = START) -> None:  # fmt: skip
    deliver(stack, "order.placed", shop_id, placed(order_id, skus, customer_id, placed_at))
    deliver(stack, "order.delivered", shop_id, delivered(order_id, delivered_at, customer_id))


def review_body(stars: int = 5, text: str = "质量很好，物流很快", sku: str = "TB1001-BLACK-M",
                customer_id: str = "c-wang", **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"customer_id": customer_id, "sku": sku, "stars": stars, "text": text, "scores": dict(SCORES), **extra}


def post_review(stack, shop_id: str, order_id: str, **kw: Any):
    return stack.client("reviews").post(f"/shops/{shop_id}/orders/{order_id}/reviews", json=review_body(**kw))


def publish_elsewhere(stack, event_type: str, shop_id: str, payload: dict[str, Any], service: str = "orders") -> None:
    """Another service's outbox, committed: the real relay sends the event to every subscriber's queue."""
    with stack.runtime(service).db.writing() as session:
        publish(session, event_type, shop_id=shop_id, payload=payload)


def counts(stack) -> dict[str, int]:
    """Rows in every reviews table and its outbox: 'nothing written' means these do not move."""
    from services.reviews.models import Base

    with stack.runtime("reviews").db.reading() as session:
        found = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }
        found["outbox"] = session.scalar(select(func.count()).select_from(OutboxMessage))
    return found


def outbox(stack, event_type: str) -> list[dict[str, Any]]:
    import json

    stmt = select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.created_wall_at)
    with stack.runtime("reviews").db.reading() as session:
        return [json.loads(row.message) for row in session.scalars(stmt)]
