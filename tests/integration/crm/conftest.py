"""Setting up a shop the way the crm service learns of it: real events through its real consumer."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shoplab.eventbus.envelope import make_event, parse_message
from shoplab.eventbus.tables import OutboxMessage
from shoplab.shops.clock import ShopClock


def deliver(stack, event_type: str, shop_id: str, payload: dict[str, Any], occurred_at: datetime | None = None):
    """Hand an event to the crm consumer exactly as its worker would (parsed, inbox, one transaction)."""
    event = make_event(event_type, shop_id=shop_id, source="test", payload=payload)
    message = event.to_message()
    if occurred_at is not None:
        message["occurred_at"] = occurred_at.isoformat()
    return stack.runtime("crm").consumer.handle(parse_message(message))


def open_shop(stack, platform: str = "taobao", shop_now: datetime | None = None, wall: datetime | None = None) -> str:
    """A shop whose clock reads ``shop_now`` at the wall moment ``wall`` (defaults: the wall clock's now)."""
    shop_id = uuid.uuid4().hex[:12]
    wall = wall or datetime.now(UTC)
    clock = ShopClock(wall_anchor=wall, sim_anchor=shop_now or wall).to_dict()
    payload = {"shop_id": shop_id, "name": f"店铺 {shop_id}", "platform": platform,
               "currency": "CNY" if platform == "taobao" else "USD", "clock": clock}  # fmt: skip
    deliver(stack, "shop.opened", shop_id, payload)
    return shop_id


def order_ref(order_id: str, customer_id: str) -> dict[str, str]:
    return {"order_id": order_id, "order_no": f"NO-{order_id}", "customer_id": customer_id}


def placed(order_id: str, customer_id: str, total: str = "99.00", at: datetime | None = None, **buyer: str):
    at = at or datetime.now(UTC)
    who = {"customer_id": customer_id, "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai",
           "language": "zh", **buyer}  # fmt: skip
    return {**order_ref(order_id, customer_id), "buyer": who,
            "lines": [{"sku": "A1", "product_id": "p1", "title": "杯子", "quantity": 1, "unit_price": total}],
            "shipping_fee": "0.00", "total": total, "currency": "CNY", "placed_at": at,
            "pay_by": at + timedelta(hours=24)}  # fmt: skip


def paid(order_id: str, customer_id: str, amount: str = "99.00", at: datetime | None = None) -> dict[str, Any]:
    return {**order_ref(order_id, customer_id), "amount": amount, "currency": "CNY", "method": "alipay",
            "paid_at": at or datetime.now(UTC)}  # fmt: skip


def refund(refund_id: str, order_id: str, customer_id: str, amount: str, at: datetime | None = None):
    return {**order_ref(order_id, customer_id), "refund_id": refund_id, "amount": amount, "currency": "CNY",
            "reason": "damaged", "kind": "refund_only", "occurred_at": at or datetime.now(UTC)}  # fmt: skip


def buy(stack, shop_id: str, order_id: str, customer_id: str, amount: str = "99.00", at: datetime | None = None):
    deliver(stack, "order.placed", shop_id, placed(order_id, customer_id, amount, at))
    deliver(stack, "order.paid", shop_id, paid(order_id, customer_id, amount, at))


def counts(stack) -> dict[str, int]:
    """Rows in every crm table and its outbox: 'nothing written' means these do not move."""
    from services.crm.models import Base

    with stack.runtime("crm").db.reading() as session:
        found = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }
        found["outbox"] = session.scalar(select(func.count()).select_from(OutboxMessage))
    return found


def published(stack, event_type: str | None = None) -> list[dict[str, Any]]:
    """The events crm wrote to its outbox, oldest first, each checked against its contract."""
    with stack.runtime("crm").db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_wall_at)).all()
        messages = [json.loads(row.message) for row in rows]
    events = [parse_message(message) for message in messages]
    return [{"type": e.type, **e.payload} for e in events if event_type is None or e.type == event_type]
