"""A dispute ruled in the service queue refunds the order in the orders service, through real workers on both
databases: the buyer opens a dispute through the tickets API on a paid order, the shop never answers, the platform
rules for the buyer when the buyer escalates, and the orders worker executes the refund once."""

from __future__ import annotations

from tests.integration.flows.through_the_gateway import GatewayShop
from tests.stack import eventually

BUYER = {"customer_id": "c-dispute", "name": "李雷", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
ADDRESS = {"recipient": "李雷", "line1": "浦东新区世纪大道 100 号", "city": "上海", "country": "CN"}


def test_a_dispute_ruled_for_the_buyer_refunds_the_order(stack):
    stack.start_workers(["orders", "tickets"])
    shop = GatewayShop(stack, ("orders", "tickets"))
    orders, tickets = stack.client("orders"), stack.client("tickets")
    placed = orders.post(
        f"/shops/{shop.id}/orders",
        json={"buyer": BUYER, "address": ADDRESS, "lines": [{"sku": "TB1001-BLACK-M", "quantity": 2}]},
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    assert orders.post(f"/shops/{shop.id}/orders/{order['id']}/payments", json={"method": "alipay"}).status_code == 201

    claim = {"order_id": order["id"], "reason": "not_as_described", "amount_requested": "20.00", "evidence": ["照片"]}
    # the queue learns of the order from order.placed / order.paid: until then it does not know it (422)
    opened = eventually(
        lambda: (r := tickets.post(f"/shops/{shop.id}/disputes", json=claim)).status_code == 201 and r.get_json(),
        timeout=20,
    )
    ruled = tickets.post(f"/shops/{shop.id}/disputes/{opened['id']}/escalate", json={"by": "buyer"})
    assert ruled.status_code == 200, ruled.get_json()
    assert ruled.get_json()["status"] == "ruled" and ruled.get_json()["ruling"]["outcome"] == "buyer"

    def refunds() -> list[dict]:
        return orders.get(f"/shops/{shop.id}/orders/{order['id']}/refunds").get_json()

    (refund,) = eventually(refunds, timeout=20)
    assert (refund["dispute_id"], refund["amount"], refund["status"]) == (opened["id"], "20.00", "completed")
    after = orders.get(f"/shops/{shop.id}/orders/{order['id']}").get_json()
    assert after["refunded"] == "20.00" and after["paid"] == order["total"] and after["state"] == "paid"
