"""A payment-reminder task (催付) opened in the service queue by the orders service's own events, through real
workers on both databases: an unpaid order becomes remindable on the shop's clock, the orders timer (sent by the real
scheduler) announces it, the tickets worker opens the task; paying the order closes the task."""

from __future__ import annotations

from tests.integration.flows.through_the_gateway import GatewayShop
from tests.stack import eventually

SHANGHAI = 8  # hours east of UTC
BUYER = {"customer_id": "c-flow", "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
ADDRESS = {"recipient": "王小明", "line1": "西湖区文三路 90 号", "city": "杭州", "country": "CN"}


def reminder_tasks(stack, shop_id: str, order_id: str) -> list[dict]:
    response = stack.client("tickets").get(f"/shops/{shop_id}/tickets?order_id={order_id}&kind=payment_reminder")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_an_unpaid_order_opens_a_reminder_task_and_paying_closes_it(stack):
    stack.start_workers(["orders", "tickets"])
    shop = GatewayShop(stack, ("orders", "tickets"))
    shop.pause_at_local(10, SHANGHAI)  # a weekday morning for the buyer: no quiet hours
    orders = stack.client("orders")
    placed = orders.post(
        f"/shops/{shop.id}/orders",
        json={"buyer": BUYER, "address": ADDRESS, "lines": [{"sku": "TB1001-BLACK-M", "quantity": 1}]},
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    stack.beat()

    due = lambda: [row["order_id"] for row in orders.get(f"/shops/{shop.id}/reminders/due").get_json()]  # noqa: E731
    shop.advance(minutes=9)  # taobao: not before 10 minutes after the order
    assert due() == [] and reminder_tasks(stack, shop.id, order["id"]) == []
    shop.advance(minutes=2)
    assert due() == [order["id"]]
    (task,) = eventually(lambda: reminder_tasks(stack, shop.id, order["id"]), timeout=30)
    assert task["status"] in ("new", "open") and task["order_no"] == order["order_no"]
    assert task["customer_id"] == BUYER["customer_id"]

    paid = orders.post(f"/shops/{shop.id}/orders/{order['id']}/payments", json={"method": "alipay"})
    assert paid.status_code == 201, paid.get_json()
    closed = eventually(
        lambda: [t for t in reminder_tasks(stack, shop.id, order["id"]) if t["status"] == "closed"], timeout=20
    )
    assert [t["id"] for t in closed] == [task["id"]] and closed[0]["close_reason"] == "order_paid"
