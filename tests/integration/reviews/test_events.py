"""The reviews worker on the real bus: order facts from the orders and tickets services' events (published through
their outboxes, so the real relay carries them, in an awkward order), a review posted on them, its event meeting its
contract; the revision-window timer; and a delivered order in a live shop, from the gateway and the orders service
to a bad review, the student's reply and the buyer's revision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from shoplab.eventbus.envelope import parse_message
from shoplab.eventbus.tables import OutboxMessage
from tests.integration.orders.shop_setup import order_body, tracking_no
from tests.integration.reviews.conftest import (
    START,
    deliver_order,
    delivered,
    open_shop,
    outbox,
    placed,
    post_review,
    publish_elsewhere,
    ref,
    review_body,
    set_clock,
)
from tests.stack import eventually
from tests.timers import tick


def test_order_facts_arrive_in_any_order_through_the_worker(stack):
    stack.worker("reviews")
    client = stack.client("reviews")
    shop_id = open_shop(stack)
    # delivered before placed; a dispute ruled before it was opened
    publish_elsewhere(stack, "order.delivered", shop_id, delivered("o1", START))
    ruling = {**ref("o1"), "dispute_id": "d1", "outcome": "seller", "refund_amount": "0.00", "currency": "CNY",
              "reason": "no_evidence", "ruled_at": START + timedelta(days=1)}  # fmt: skip
    publish_elsewhere(stack, "dispute.ruled", shop_id, ruling, service="tickets")
    eventually(lambda: client.get(f"/shops/{shop_id}/orders/o1/reviewable").get_json().get("reason") == "lines_unknown",
               timeout=15)  # fmt: skip
    publish_elsewhere(stack, "order.placed", shop_id, placed("o1", ("TB1001-BLACK-M", "TB1002-WHITE-L")))
    ready = eventually(lambda: (r := client.get(f"/shops/{shop_id}/orders/o1/reviewable").get_json())["reviewable"]
                       and r, timeout=15)  # fmt: skip
    assert [line["sku"] for line in ready["lines"]] == ["TB1001-BLACK-M", "TB1002-WHITE-L"]

    created = post_review(stack, shop_id, "o1", stars=2, text="尺码偏小，穿不上")
    assert created.status_code == 201, created.get_json()
    [posted] = outbox(stack, "review.posted")
    event = parse_message(posted)  # what the service queue will receive meets its contract
    assert event.source == "reviews" and event.shop_id == shop_id
    assert (event.payload["rating"], event.payload["needs_follow_up"], event.payload["order_no"]) == (
        "negative", True, "NO-o1",
    )  # fmt: skip
    first_day = {"from": START.isoformat(), "to": (START + timedelta(days=1)).isoformat()}
    metrics = client.get(f"/shops/{shop_id}/metrics", query_string=first_day)
    assert metrics.get_json()["shop"]["orders_disputed"] == 1
    assert client.get("/dead-letters").get_json() == []


def test_the_revision_window_closes_once(stack):
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1")
    review = post_review(stack, shop_id, "o1", stars=3, text="一般").get_json()
    db = stack.runtime("reviews").db
    set_clock(stack, shop_id, START + timedelta(days=29))
    assert tick(db, "reviews.close_revision_windows") == 0
    set_clock(stack, shop_id, START + timedelta(days=30))
    assert tick(db, "reviews.close_revision_windows") == 1
    assert tick(db, "reviews.close_revision_windows") == 0
    [closed] = outbox(stack, "review.revision_window_closed")
    assert closed["payload"]["review_id"] == review["id"]
    body = review_body(5, "好")
    del body["sku"]
    late = stack.client("reviews").post(f"/shops/{shop_id}/reviews/{review['id']}/revision", json=body)
    assert late.status_code == 409 and late.get_json()["fields"] == {"review_id": ["revision window closed"]}


def _demo_taobao_shop(stack) -> str:
    from gateway.models import Shop

    with stack.runtime("gateway").db.reading() as session:
        return session.scalar(select(Shop.id).where(Shop.platform == "taobao"))


def test_a_delivered_order_in_a_live_shop_is_reviewed_followed_up_and_revised(stack):
    stack.start_workers(["orders", "reviews"])
    headers = stack.sign_in()  # the demo class: shop.opened travels to the orders and reviews workers
    shop_id = _demo_taobao_shop(stack)
    orders, reviews = stack.client("orders"), stack.client("reviews")
    eventually(lambda: orders.get(f"/shops/{shop_id}/products").status_code == 200, timeout=20)
    eventually(lambda: reviews.get(f"/shops/{shop_id}").status_code == 200, timeout=20)

    order = orders.post(f"/shops/{shop_id}/orders", json=order_body("taobao")).get_json()
    paid = orders.post(f"/shops/{shop_id}/orders/{order['id']}/payments", json={"method": "alipay"})
    assert paid.status_code == 201
    carrier = order["shipping_carrier"]
    shipped = orders.post(f"/shops/{shop_id}/orders/{order['id']}/shipments",
                          json={"carrier": carrier, "tracking_no": tracking_no("taobao", carrier),
                                "shipped_by": "agent-li"})  # fmt: skip
    assert shipped.status_code == 201, shipped.get_json()
    # the instructor skips ahead; every service hears of the new clock
    days = order["delivery_days_max"] + 1
    moved = stack.client("gateway").post(f"/api/v1/shops/{shop_id}/clock", headers=headers,
                                         json={"advance_seconds": days * 86400})  # fmt: skip
    assert moved.status_code == 200, moved.get_json()
    version = moved.get_json()["clock"]["version"]
    for client in (orders, reviews):
        eventually(lambda client=client: client.get(f"/shops/{shop_id}").get_json()["clock"]["version"] == version,
                   timeout=15)  # fmt: skip
    tick(stack.runtime("orders").db, "orders.advance_tracking")
    assert orders.get(f"/shops/{shop_id}/orders/{order['id']}").get_json()["state"] == "delivered"

    path = f"/shops/{shop_id}/orders/{order['id']}/reviewable"
    eventually(lambda: reviews.get(path).get_json().get("reviewable"), timeout=15)
    sku = order["lines"][0]["sku"]
    buyer = order_body("taobao")["buyer"]["customer_id"]
    bad = reviews.post(f"/shops/{shop_id}/orders/{order['id']}/reviews",
                       json=review_body(1, "质量太差了，洗一次就掉色", sku=sku, customer_id=buyer))  # fmt: skip
    assert bad.status_code == 201, bad.get_json()
    rid = bad.get_json()["id"]
    queue = reviews.get(f"/shops/{shop_id}/reviews", query_string={"needs_follow_up": "true"}).get_json()
    assert [r["id"] for r in queue] == [rid]  # the bad review is in the student's follow-up queue

    reply = reviews.post(f"/shops/{shop_id}/reviews/{rid}/reply",
                         json={"agent_id": "agent-li", "text": "亲，非常抱歉，马上为您换一件新的"})  # fmt: skip
    assert reply.status_code == 201
    body = review_body(5, "换了新的，质量很好，客服很负责", customer_id=buyer)
    del body["sku"]
    assert reviews.post(f"/shops/{shop_id}/reviews/{rid}/revision", json=body).status_code == 200

    now = datetime.now(UTC)
    period = {"from": (now - timedelta(days=30)).isoformat(), "to": (now + timedelta(days=30)).isoformat()}
    shop = reviews.get(f"/shops/{shop_id}/metrics", query_string=period).get_json()["shop"]
    assert (shop["reviews"], shop["positive_rate"], shop["recovery_rate"], shop["reply_rate"]) == (1, 1.0, 1.0, 1.0)
    assert shop["orders"] == 1 and shop["order_defect_rate"] == 0.0
    with stack.runtime("reviews").db.reading() as session:
        # in the order they were committed: PostgreSQL returns rows unordered (marking a row sent moves it)
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_wall_at))
        types = [json.loads(row.message)["type"] for row in rows]
    assert types == ["review.posted", "review.replied", "review.revised"]
    assert reviews.get("/dead-letters").get_json() == []
