"""Events with a real Redis and real worker processes: the catalog of a newly opened shop, a dispute ruling
executed once, order events relayed to their subscribers, and the timers of the shop's clock run by the worker."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.orders.catalog_seed import platform_catalog
from services.orders.models import Refund
from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.envelope import make_event
from shoplab.eventbus.tables import InboxEntry, OutboxMessage
from tests.integration.orders.shop_setup import move_clock, open_shop, outbox, pay, place, ship, tracking_no
from tests.stack import eventually


def test_a_new_shop_opens_with_its_platforms_catalog(stack):
    stack.worker("orders")
    headers = stack.sign_in()
    opened = stack.client("gateway").post(
        "/api/v1/shops", json={"name": "跨境店 Cross-border", "platform": "aliexpress"}, headers=headers
    )
    assert opened.status_code == 201, opened.get_json()
    shop_id = opened.get_json()["id"]
    products = eventually(
        lambda: (r := stack.client("orders").get(f"/shops/{shop_id}/products")).status_code == 200 and r.get_json(),
        timeout=15,
    )
    expected = platform_catalog("aliexpress")["products"]
    assert [p["product_id"] for p in products] == [p["product_id"] for p in expected]
    assert sum(len(p["skus"]) for p in products) == sum(len(p["skus"]) for p in expected)
    assert [s["sku"] for s in products[4]["skus"]] == [s["sku"] for s in expected[4]["skus"]]  # S, M, L, XL, XXL
    assert products[0]["title_zh"] and products[0]["currency"] == "USD"
    templates = stack.client("orders").get(f"/shops/{shop_id}/shipping-templates").get_json()
    assert {t["code"] for t in templates} == {"standard", "economy", "heavy"}


def _ruling(shop_id: str, order: dict, dispute_id: str, outcome: str, amount: str) -> dict:
    return make_event(
        "dispute.ruled",
        shop_id=shop_id,
        source="tickets",
        payload={
            "dispute_id": dispute_id,
            "order_id": order["id"],
            "order_no": order["order_no"],
            "customer_id": order["customer_id"],
            "outcome": outcome,
            "refund_amount": amount,
            "currency": order["currency"],
            "reason": "item not as described (平台判定)",
            "ruled_at": datetime.now(UTC),
        },
    ).to_message()


def test_a_dispute_ruled_for_the_buyer_is_refunded_once(stack):
    shop_id = open_shop(stack, "aliexpress", paused=True)
    order = place(stack, shop_id, "aliexpress")
    pay(stack, shop_id, order["id"], method="card")
    stack.worker("orders")
    send = QueueSender()
    won = _ruling(shop_id, order, "d-1", "buyer", "5.00")
    again = {**won, "id": str(uuid.uuid4())}  # the same ruling published again: the rule drops it
    lost = _ruling(shop_id, order, "d-2", "seller", "0.00")
    split = _ruling(shop_id, order, "d-3", "split", "999.00")  # capped at what is left of the payment
    for message in (won, won, again, lost, split):  # ``won`` twice: a redelivery, which the inbox drops
        send("orders", message)

    def handled() -> int:
        ids = [m["id"] for m in (won, again, lost, split)]
        with stack.runtime("orders").db.reading() as session:
            return len(session.scalars(select(InboxEntry.event_id).where(InboxEntry.event_id.in_(ids))).all())

    def refunds():
        with stack.runtime("orders").db.reading() as session:
            rows = session.scalars(select(Refund).where(Refund.shop_id == shop_id).order_by(Refund.requested_at))
            return [(r.dispute_id, r.amount_cents, r.status) for r in rows]

    total = int(order["total"].replace(".", ""))
    eventually(lambda: handled() == 4 and stack.redis.llen("orders") == 0, timeout=20)
    assert sorted(refunds()) == [("d-1", 500, "completed"), ("d-3", total - 500, "completed")]
    final = stack.client("orders").get(f"/shops/{shop_id}/orders/{order['id']}").get_json()
    assert final["refunded"] == order["total"]
    completed = outbox(stack, shop_id, "refund.completed")
    assert [e["payload"]["by"] for e in completed] == ["d-1", "d-3"]


def test_order_events_are_relayed_to_their_subscribers(stack):
    shop_id = open_shop(stack, paused=True)
    stack.redis.delete("tickets")
    order = place(stack, shop_id)
    raw = eventually(lambda: stack.redis.lrange("tickets", 0, -1), timeout=5)
    bodies = [json.loads(base64.b64decode(json.loads(item)["body"]))[0][0] for item in raw]
    placed = next(b for b in bodies if b["type"] == "order.placed")
    assert placed["payload"]["order_id"] == order["id"] and placed["source"] == "orders"

    def marked_sent():  # the web process relays from a thread: the row is marked right after the send
        with stack.runtime("orders").db.reading() as session:
            return session.scalar(select(OutboxMessage.sent_wall_at).where(OutboxMessage.id == placed["id"]))

    assert eventually(marked_sent, timeout=5)


def test_the_worker_runs_the_shops_timers(stack):
    shop_id = open_shop(stack, speed=600)  # 10 shop minutes per wall second, from 10:00 in Shanghai
    reminded = place(stack, shop_id)
    shipped = place(stack, shop_id, lines=[{"sku": "TB1006-SKYBLUE", "quantity": 1}])
    pay(stack, shop_id, shipped["id"])
    parcel = ship(stack, shop_id, shipped["id"], "ZTO", tracking_no("taobao", "ZTO"))
    assert parcel.status_code == 201
    stack.worker("orders")
    stack.beat()

    due = eventually(lambda: outbox(stack, shop_id, "payment.reminder_due"), timeout=20)
    assert [e["payload"]["order_id"] for e in due] == [reminded["id"]]
    move_clock(stack, shop_id, by=timedelta(days=5))  # past pay-by, and past the parcel's delivery
    state = lambda order_id: stack.client("orders").get(f"/shops/{shop_id}/orders/{order_id}").get_json()  # noqa: E731
    eventually(lambda: state(reminded["id"])["state"] == "cancelled", timeout=20)
    eventually(lambda: state(shipped["id"])["state"] == "delivered", timeout=20)
    assert state(reminded["id"])["cancel_reason"] == "unpaid_timeout"
    checkpoints = [e["payload"]["status"] for e in outbox(stack, shop_id, "shipment.checkpoint")]
    assert checkpoints[0] == "picked_up" and checkpoints[-1] == "delivered"
