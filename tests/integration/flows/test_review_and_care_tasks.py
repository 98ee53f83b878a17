"""Tasks the reviews and crm services put in the students' queue, through real workers on both databases: a buyer's
negative review (中差评) opens a follow-up task in the tickets service; crm's follow-up care task (回访), announced by
its timer (sent by the real scheduler) three shop days after delivery, opens a care item with the rendered text as
a suggestion. The order's facts come from the orders service's outbox (the real relay carries them to reviews, crm
and tickets), the shop and its clock from the gateway."""

from __future__ import annotations

from datetime import timedelta

from shoplab.eventbus.outbox import publish
from tests.integration.flows.through_the_gateway import GatewayShop
from tests.stack import eventually

SHANGHAI = 8  # hours east of UTC
BUYER = {"customer_id": "c-review", "name": "李雷", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
SKU = "TB1001-BLACK-M"


def from_orders(stack, event_type: str, shop_id: str, payload: dict) -> None:
    """The orders service's own outbox, committed: the relay sends the event to every subscriber's worker."""
    with stack.runtime("orders").db.writing() as session:
        publish(session, event_type, shop_id=shop_id, payload=payload)


def tasks(stack, shop_id: str, kind: str) -> list[dict]:
    response = stack.client("tickets").get(f"/shops/{shop_id}/tickets?kind={kind}&status=new")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def delivered_order(stack, shop: GatewayShop) -> dict:
    now = shop.now()
    ref = {"order_id": "o-review", "order_no": "NO-o-review", "customer_id": BUYER["customer_id"]}
    line = {"sku": SKU, "product_id": "TB1001", "title": "纯棉T恤", "quantity": 1, "unit_price": "128.00"}
    from_orders(stack, "order.placed", shop.id, {**ref, "buyer": BUYER, "lines": [line], "shipping_fee": "0.00",
                "total": "128.00", "currency": "CNY", "placed_at": now, "pay_by": now + timedelta(days=1)})  # fmt: skip
    from_orders(stack, "order.paid", shop.id, {**ref, "amount": "128.00", "currency": "CNY", "method": "alipay",
                "paid_at": now})  # fmt: skip
    from_orders(stack, "order.delivered", shop.id, {**ref, "shipment_id": "sh1", "delivered_at": now})
    return ref


def test_a_negative_review_and_a_care_task_reach_the_queue(stack):
    stack.start_workers(["reviews", "crm", "tickets"])
    shop = GatewayShop(stack, ("reviews", "crm", "tickets"))
    shop.pause_at_local(12, SHANGHAI)  # noon for the buyer: inside crm's care hours
    order = delivered_order(stack, shop)
    reviews = stack.client("reviews")
    eventually(
        lambda: reviews.get(f"/shops/{shop.id}/orders/{order['order_id']}/reviewable").get_json().get("reviewable"),
        timeout=20,
        message="the reviews service knows the delivered order",
    )

    posted = reviews.post(
        f"/shops/{shop.id}/orders/{order['order_id']}/reviews",
        json={
            "customer_id": BUYER["customer_id"],
            "sku": SKU,
            "stars": 1,
            "text": "质量太差了，洗一次就破了",
            "scores": {"as_described": 1, "service": 2, "logistics": 3},
        },  # fmt: skip
    )
    assert posted.status_code == 201, posted.get_json()
    review = posted.get_json()
    (follow_up,) = eventually(lambda: tasks(stack, shop.id, "review_follow_up"), timeout=20, message="follow-up")
    assert (follow_up["customer_id"], follow_up["order_id"], follow_up["group"]) == (
        BUYER["customer_id"], order["order_id"], "after_sale",
    )  # fmt: skip
    assert follow_up["source"] == "review.posted"
    detail = stack.client("tickets").get(f"/shops/{shop.id}/tickets/{follow_up['id']}").get_json()
    assert any("1★" in m["body"] and review["id"] in m["body"] for m in detail["messages"] if m["kind"] == "event")

    # crm heard the delivery: its follow-up (回访) falls due three shop days later, in the buyer's daytime
    crm = stack.client("crm")
    eventually(lambda: crm.get(f"/shops/{shop.id}/customers/{BUYER['customer_id']}").status_code == 200, timeout=20)
    stack.beat()
    shop.advance(days=3, hours=1)
    (care,) = eventually(lambda: tasks(stack, shop.id, "care"), timeout=30, message="care item")
    (announced,) = crm.get(f"/shops/{shop.id}/care-tasks?kind=follow_up").get_json()
    assert (care["source"], care["customer_id"], care["order_id"]) == ("care.task_due", BUYER["customer_id"],
                                                                        order["order_id"])  # fmt: skip
    assert (care["group"], care["assignee_id"]) == ("pre_sale", None)  # waits to be claimed
    messages = stack.client("tickets").get(f"/shops/{shop.id}/tickets/{care['id']}").get_json()["messages"]
    suggestion = [m for m in messages if m["kind"] == "suggestion"]
    assert [m["body"] for m in suggestion] == [announced["body"]] and order["order_no"] in announced["body"]
    for service in ("tickets", "crm", "reviews"):
        assert stack.client(service).get("/dead-letters").get_json() == []
