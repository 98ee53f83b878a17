"""The crm worker on the real bus: the orders and tickets services' events (published through their own
outboxes, so the real relay carries them) reach crm's worker and its profiles follow; what crm publishes meets its
contracts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from gateway.models import Shop
from shoplab.eventbus.outbox import publish
from tests.integration.crm.conftest import order_ref, paid, placed, published
from tests.stack import eventually


def publish_from(stack, service: str, event_type: str, shop_id: str, payload: dict) -> None:
    with stack.runtime(service).db.writing() as session:
        publish(session, event_type, shop_id=shop_id, payload=payload)


def test_profiles_follow_real_events_through_the_real_worker(stack):
    stack.worker("crm")
    stack.sign_in()  # seeds the demo class: shop.opened travels to the crm worker
    with stack.runtime("gateway").db.reading() as session:
        shop_id = session.scalar(select(Shop.id).where(Shop.platform == "taobao"))
    client = stack.client("crm")
    eventually(lambda: client.get(f"/shops/{shop_id}").status_code == 200, timeout=15, message="shop copy")

    now = datetime.now(UTC)
    publish_from(stack, "orders", "order.paid", shop_id, paid("o1", "c1", "300.00", now))  # before placed
    publish_from(stack, "orders", "order.placed", shop_id, placed("o1", "c1", "300.00", now))
    publish_from(stack, "orders", "order.delivered", shop_id,
                 {**order_ref("o1", "c1"), "shipment_id": "s1", "delivered_at": now})  # fmt: skip
    ticket = {"ticket_id": "t1", "kind": "order", "group": "after_sale", "customer_id": "c1", "order_id": "o1"}
    publish_from(stack, "tickets", "ticket.opened", shop_id,
                 {**ticket, "source": "buyer", "channel": "chat", "language": "zh", "opened_at": now})  # fmt: skip
    publish_from(stack, "tickets", "csat.rated", shop_id, {**ticket, "score": 5, "rated_at": now})

    def settled():
        response = client.get(f"/shops/{shop_id}/customers/c1")
        body = response.get_json() if response.status_code == 200 else {}
        return body if body.get("paid_orders") == 1 and body.get("csat_ratings") == 1 else None

    found = eventually(settled, timeout=20, message="profile from the bus")
    assert (found["orders"], found["paid_amount"], found["grade"], found["conversations"]) == (1, "300.00", "VIP1", 1)
    assert found["csat_average"] == 5.0 and {t["tag"] for t in found["tags"]} == {"new"}
    assert client.get("/dead-letters").get_json() == []
    events = published(stack)  # every event crm published meets its contract (parsed in published())
    assert {"customer.tagged", "customer.grade_changed"} <= {e["type"] for e in events}
