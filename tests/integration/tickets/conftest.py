"""Setting up a shop the way the tickets service learns of it: real events through its real consumer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shoplab.eventbus.envelope import make_event, parse_message
from shoplab.eventbus.outbox import publish
from shoplab.eventbus.tables import OutboxMessage
from shoplab.shops.clock import ShopClock


def deliver(stack, event_type: str, shop_id: str, payload: dict[str, Any]) -> str:
    """Hand an event to the tickets consumer exactly as its worker would (parsed, inbox, one transaction)."""
    message = make_event(event_type, shop_id=shop_id, source="test", payload=payload).to_message()
    return stack.runtime("tickets").consumer.handle(parse_message(message))


def open_shop(stack, platform: str = "taobao", speed: float = 1.0) -> str:
    shop_id = uuid.uuid4().hex[:12]
    clock = ShopClock.started(speed=speed).to_dict()
    currency = "CNY" if platform == "taobao" else "USD"
    payload = {
        "shop_id": shop_id,
        "name": f"店铺 {shop_id}",
        "platform": platform,
        "currency": currency,
        "clock": clock,
    }
    deliver(stack, "shop.opened", shop_id, payload)
    return shop_id


def seat(stack, shop_id: str, agent_id: str, status: str = "online") -> None:
    deliver(stack, "agent.joined", shop_id, {"agent_id": agent_id, "shop_id": shop_id, "display_name": agent_id})
    if status != "offline":
        response = stack.client("tickets").post(f"/shops/{shop_id}/agents/{agent_id}/status", json={"status": status})
        assert response.status_code == 200, response.get_json()


def publish_elsewhere(stack, event_type: str, shop_id: str, payload: dict[str, Any], service: str = "gateway") -> None:
    """Another service's outbox, committed: the real relay sends the event to every subscriber's queue."""
    with stack.runtime(service).db.writing() as session:
        publish(session, event_type, shop_id=shop_id, payload=payload)


def age_conversation(stack, ticket_id: str, seconds: float = 60) -> None:
    """The conversation so far was written ``seconds`` ago (a page that shows it asks only for what came later)."""
    from services.tickets.models import Message

    with stack.runtime("tickets").db.writing() as session:
        for message in session.scalars(select(Message).where(Message.ticket_id == ticket_id)):
            message.created_wall_at -= timedelta(seconds=seconds)


def counts(stack) -> dict[str, int]:
    """Rows in every tickets table and its outbox: 'nothing written' means these do not move."""
    from services.tickets.models import Base

    with stack.runtime("tickets").db.reading() as session:
        found = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }
        found["outbox"] = session.scalar(select(func.count()).select_from(OutboxMessage))
    return found


def order_ref(order_id: str, customer_id: str = "c1") -> dict[str, str]:
    return {"order_id": order_id, "order_no": f"NO-{order_id}", "customer_id": customer_id}


def placed(order_id: str, customer_id: str = "c1", total: str = "99.00") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        **order_ref(order_id, customer_id),
        "buyer": {
            "customer_id": customer_id,
            "name": "Ana García",
            "country": "ES",
            "timezone": "Europe/Madrid",
            "language": "es",
        },  # fmt: skip
        "lines": [{"sku": "A1", "product_id": "p1", "title": "Mug 杯子", "quantity": 1, "unit_price": total}],
        "shipping_fee": "0.00",
        "total": total,
        "currency": "CNY",
        "placed_at": now,
        "pay_by": now + timedelta(hours=24),
    }


def paid(order_id: str, customer_id: str = "c1", amount: str = "99.00") -> dict[str, Any]:
    return {**order_ref(order_id, customer_id), "amount": amount, "currency": "CNY", "method": "card",
            "paid_at": datetime.now(UTC)}  # fmt: skip
