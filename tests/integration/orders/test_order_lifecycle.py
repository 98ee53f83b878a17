"""The order's life through the API: payments, address changes, cancellation, shipping, tracking on the shop's
clock, exceptions, reshipment, receipt; illegal moves are 409 with the current state; every change is an event."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.orders.shop_setup import AGENT, move_clock, open_shop, outbox, pay, place, ship, tracking_no
from tests.timers import tick


def advance(stack, timer: str) -> int:
    return tick(stack.runtime("orders").db, f"orders.{timer}")


def test_payment_failure_is_kept_then_paid(stack):
    shop = open_shop(stack, "aliexpress", paused=True)
    client = stack.client("orders")
    order = place(stack, shop, "aliexpress")
    assert order["state"] == "unpaid" and order["currency"] == "USD"
    path = f"/shops/{shop}/orders/{order['id']}/payments"
    failed = client.post(path, json={"method": "card", "result": "failed", "failure_reason": "3ds_timeout"})
    assert failed.status_code == 201 and failed.get_json()["payment"]["result"] == "failed"
    assert client.get(f"/shops/{shop}/orders/{order['id']}").get_json()["payment_failure"] == "3ds_timeout"
    assert client.post(path, json={"method": "alipay_hk"}).status_code == 422  # not a method this shop offers
    paid = client.post(path, json={"method": "paypal", "amount": order["total"]})
    assert paid.status_code == 201
    assert paid.get_json()["order"]["state"] == "paid"
    assert paid.get_json()["order"]["ship_by"] is not None
    again = client.post(path, json={"method": "paypal"})
    assert again.status_code == 409 and again.get_json()["current_state"] == "paid"
    assert [p["result"] for p in client.get(path).get_json()] == ["failed", "succeeded"]
    types = [e["type"] for e in outbox(stack, shop)]
    assert types == ["order.placed", "order.payment_failed", "order.paid"]
    failure = outbox(stack, shop, "order.payment_failed")[0]["payload"]
    assert failure["reason"] == "3ds_timeout" and failure["order_no"] == order["order_no"]


def test_unpaid_timeout_cancels_on_the_shops_clock(stack):
    shop = open_shop(stack, paused=True)
    client = stack.client("orders")
    order = place(stack, shop)
    stock = lambda: client.get(f"/shops/{shop}/products/TB1001").get_json()["skus"]  # noqa: E731
    assert next(s["stock"] for s in stock() if s["sku"] == "TB1001-BLACK-M") == 58
    move_clock(stack, shop, by=timedelta(hours=23))
    assert advance(stack, "expire_unpaid") == 0
    move_clock(stack, shop, by=timedelta(hours=1, seconds=1))
    late = client.post(f"/shops/{shop}/orders/{order['id']}/payments", json={"method": "alipay"})
    assert late.status_code == 409 and "pay_by" in late.get_json()
    assert advance(stack, "expire_unpaid") == 1
    cancelled = client.get(f"/shops/{shop}/orders/{order['id']}").get_json()
    assert (cancelled["state"], cancelled["cancel_reason"]) == ("cancelled", "unpaid_timeout")
    assert next(s["stock"] for s in stock() if s["sku"] == "TB1001-BLACK-M") == 60


def test_address_change_and_cancel_of_a_paid_order(stack):
    shop = open_shop(stack, paused=True)
    client = stack.client("orders")
    order = place(stack, shop)
    pay(stack, shop, order["id"])
    new_address = {"recipient": "王小明", "line1": "滨江区江南大道 1 号", "city": "杭州", "country": "CN"}
    changed = client.post(
        f"/shops/{shop}/orders/{order['id']}/address", json={"address": new_address, "changed_by": AGENT}
    )
    assert changed.status_code == 200 and changed.get_json()["address"]["line1"] == "滨江区江南大道 1 号"
    abroad = client.post(
        f"/shops/{shop}/orders/{order['id']}/address",
        json={"address": {**new_address, "country": "US"}, "changed_by": AGENT},
    )
    assert abroad.status_code == 422 and "address" in abroad.get_json()["fields"]
    no_agent = client.post(f"/shops/{shop}/orders/{order['id']}/cancel", json={"by": "seller"})
    assert no_agent.status_code == 422 and "agent_id" in no_agent.get_json()["fields"]
    cancelled = client.post(
        f"/shops/{shop}/orders/{order['id']}/cancel", json={"by": "seller", "agent_id": AGENT, "note": "缺货"}
    )
    assert cancelled.status_code == 200
    body = cancelled.get_json()
    assert (body["state"], body["refunded"], body["paid"]) == ("cancelled", "118.00", "118.00")
    refunds = client.get(f"/shops/{shop}/orders/{order['id']}/refunds").get_json()
    assert [(r["status"], r["amount"], r["reason"]) for r in refunds] == [("completed", "118.00", "order_cancelled")]
    types = [e["type"] for e in outbox(stack, shop)]
    assert types[-3:] == ["order.address_changed", "refund.completed", "order.cancelled"]


def test_shipping_tracking_exceptions_and_receipt(stack):
    shop = open_shop(stack, "aliexpress", paused=True)
    client = stack.client("orders")
    order = place(stack, shop, "aliexpress")
    pay(stack, shop, order["id"], method="card")
    move_clock(stack, shop, by=timedelta(days=5, minutes=1))  # past the 5-day handling time
    first_parcel = tracking_no("aliexpress", "Cainiao")
    shipped = ship(stack, shop, order["id"], "Cainiao", first_parcel)
    assert shipped.status_code == 201 and shipped.get_json()["late"] is True
    shipment_id = shipped.get_json()["id"]
    again = ship(stack, shop, order["id"], "Cainiao", tracking_no("aliexpress", "Cainiao", skip=1))
    assert again.status_code == 409 and again.get_json()["current_state"] == "shipped"
    moved = client.post(
        f"/shops/{shop}/orders/{order['id']}/address",
        json={"address": {"recipient": "E", "line1": "x", "city": "y", "country": "US"}, "changed_by": AGENT},
    )
    assert moved.status_code == 409 and moved.get_json()["current_state"] == "shipped"

    tracking = client.get(f"/shops/{shop}/orders/{order['id']}/tracking").get_json()
    assert tracking["shipments"][0]["events"] == []  # nothing has happened yet on the shop's clock
    move_clock(stack, shop, by=timedelta(days=2))
    advance(stack, "advance_tracking")
    seen = client.get(f"/shops/{shop}/orders/{order['id']}/tracking").get_json()["shipments"][0]["events"]
    assert seen and seen[0]["status"] == "picked_up"

    exception = client.post(
        f"/shops/{shop}/orders/{order['id']}/shipments/{shipment_id}/exceptions",
        json={"kind": "lost", "detail": "Parcel missing at the sorting centre 分拣中心丢件"},
    )
    assert exception.status_code == 201
    move_clock(stack, shop, by=timedelta(days=60))
    advance(stack, "advance_tracking")
    parcel = client.get(f"/shops/{shop}/orders/{order['id']}/tracking").get_json()["shipments"][0]
    assert parcel["shipment"]["status"] == "lost" and parcel["events"][-1]["status"] == "lost"
    assert client.get(f"/shops/{shop}/orders/{order['id']}").get_json()["state"] == "shipped"  # never delivered

    reshipped = client.post(
        f"/shops/{shop}/orders/{order['id']}/reshipments",
        json={"carrier": "DHL", "tracking_no": tracking_no("aliexpress", "DHL"), "shipped_by": AGENT, "reason": "lost",
              "replaces_shipment_id": shipment_id},
    )  # fmt: skip
    assert reshipped.status_code == 201 and reshipped.get_json()["late"] is False
    move_clock(stack, shop, by=timedelta(days=8))  # DHL: 3 to 7 days
    advance(stack, "advance_tracking")
    delivered = client.get(f"/shops/{shop}/orders/{order['id']}").get_json()
    assert delivered["state"] == "delivered"
    assert client.post(f"/shops/{shop}/orders/{order['id']}/confirm-receipt").get_json()["state"] == "completed"
    again = client.post(f"/shops/{shop}/orders/{order['id']}/confirm-receipt")
    assert again.status_code == 409 and again.get_json()["current_state"] == "completed"

    types = [e["type"] for e in outbox(stack, shop)]
    for expected in ("order.shipped", "shipment.checkpoint", "shipment.exception", "order.reshipped",
                     "order.delivered", "order.completed"):  # fmt: skip
        assert expected in types
    shipped_event = outbox(stack, shop, "order.shipped")[0]["payload"]
    assert shipped_event["late"] is True and shipped_event["shipped_by"] == AGENT
    lost = outbox(stack, shop, "shipment.exception")[0]["payload"]
    assert lost["kind"] == "lost" and lost["tracking_no"] == first_parcel


def test_a_delay_pushes_the_rest_of_the_timeline_back(stack):
    shop = open_shop(stack, paused=True)
    client = stack.client("orders")
    order = place(stack, shop)
    pay(stack, shop, order["id"])
    shipment_id = ship(stack, shop, order["id"], "ZTO", tracking_no("taobao", "ZTO")).get_json()["id"]
    delayed = client.post(
        f"/shops/{shop}/orders/{order['id']}/shipments/{shipment_id}/exceptions",
        json={"kind": "delay", "delay_hours": 240},
    )
    assert delayed.status_code == 201 and "物流延误" in delayed.get_json()["detail"]
    move_clock(stack, shop, by=timedelta(days=5))  # ZTO takes at most 4 days, but 10 days were added
    advance(stack, "advance_tracking")
    assert client.get(f"/shops/{shop}/orders/{order['id']}").get_json()["state"] == "shipped"
    move_clock(stack, shop, by=timedelta(days=10))
    advance(stack, "advance_tracking")
    assert client.get(f"/shops/{shop}/orders/{order['id']}").get_json()["state"] == "delivered"
    bad = client.post(f"/shops/{shop}/orders/{order['id']}/shipments/{shipment_id}/exceptions", json={"kind": "lost"})
    assert bad.status_code == 409 and bad.get_json()["shipment_status"] == "delivered"
