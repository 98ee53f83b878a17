"""Point 10: every kind of bad input is a 4xx naming the field and the reason, and nothing is half-written."""

from __future__ import annotations

import pytest

from tests.integration.orders.shop_setup import open_shop, order_body, pay, place, ship, snapshot


@pytest.fixture
def shop(stack):
    return open_shop(stack, "taobao")


def refused(stack, method: str, path: str, body: dict | None, status: int) -> dict:
    before = snapshot(stack)
    response = getattr(stack.client("orders"), method)(path, json=body)
    assert response.status_code == status, response.get_json()
    assert snapshot(stack) == before, "a refused request changed the database"
    error = response.get_json()
    assert error["message"] and error["fields"], error
    return error


def test_unknown_sku(stack, shop):
    body = order_body(lines=[{"sku": "TB1001-BLACK-M", "quantity": 1}, {"sku": "NOPE-1", "quantity": 1}])
    error = refused(stack, "post", f"/shops/{shop}/orders", body, 422)
    assert error["fields"] == {"lines": {"1": {"sku": ["unknown SKU in this shop"]}}}


def test_unknown_shop(stack, shop):
    error = refused(stack, "post", "/shops/no-such-shop/orders", order_body(), 404)
    assert error["fields"] == {"shop_id": ["unknown shop"]}
    error = refused(stack, "get", "/shops/no-such-shop/products", None, 404)
    assert "shop_id" in error["fields"]


@pytest.mark.parametrize("quantity", [0, -3])
def test_quantity_not_positive(stack, shop, quantity):
    body = order_body(lines=[{"sku": "TB1001-BLACK-M", "quantity": quantity}])
    error = refused(stack, "post", f"/shops/{shop}/orders", body, 422)
    assert error["fields"]["lines"]["0"]["quantity"] == ["must be 1 to 999"]


def test_out_of_stock_reserves_none_of_the_lines(stack, shop):
    # the first line could be reserved, the second cannot: neither is
    body = order_body(lines=[{"sku": "TB1001-BLACK-M", "quantity": 1}, {"sku": "TB1003-CREAM-M", "quantity": 2}])
    error = refused(stack, "post", f"/shops/{shop}/orders", body, 409)
    assert error["fields"] == {"lines": {"1": {"quantity": ["only 1 left in stock"]}}}
    assert error["available"] == 1


def test_paying_a_cancelled_order(stack, shop):
    order = place(stack, shop)
    cancel = stack.client("orders").post(f"/shops/{shop}/orders/{order['id']}/cancel", json={"by": "buyer"})
    assert cancel.status_code == 200
    path = f"/shops/{shop}/orders/{order['id']}/payments"
    error = refused(stack, "post", path, {"method": "alipay"}, 409)
    assert error["current_state"] == "cancelled" and "state" in error["fields"]


def test_refunding_more_than_paid(stack, shop):
    order = place(stack, shop)  # 2 x 59.00, free shipping
    pay(stack, shop, order["id"])
    path = f"/shops/{shop}/orders/{order['id']}/refunds"
    first = stack.client("orders").post(path, json={"kind": "refund_only", "reason": "quality", "amount": "100.00"})
    assert first.status_code == 201
    error = refused(stack, "post", path, {"kind": "refund_only", "reason": "quality", "amount": "18.01"}, 422)
    assert error["fields"] == {"amount": ["at most 18.00 CNY may still be refunded"]}


def test_shipping_an_unpaid_order(stack, shop):
    order = place(stack, shop)
    path = f"/shops/{shop}/orders/{order['id']}/shipments"
    body = {"carrier": "SF", "tracking_no": "SF1403716928374", "shipped_by": "a1"}
    error = refused(stack, "post", path, body, 409)
    assert error["current_state"] == "unpaid" and "state" in error["fields"]


def test_malformed_tracking_number(stack, shop):
    order = place(stack, shop)
    pay(stack, shop, order["id"])
    path = f"/shops/{shop}/orders/{order['id']}/shipments"
    error = refused(stack, "post", path, {"carrier": "SF", "tracking_no": "SF12-34", "shipped_by": "a1"}, 422)
    assert "tracking_no" in error["fields"] and "SF1403716928374" in error["fields"]["tracking_no"][0]
    error = refused(stack, "post", path, {"carrier": "DHL", "tracking_no": "1234567890", "shipped_by": "a1"}, 422)
    assert "carrier" in error["fields"]
    assert ship(stack, shop, order["id"]).status_code == 201  # the order could still ship afterwards


def test_date_range_backwards(stack, shop):
    path = f"/shops/{shop}/metrics?from=2026-11-20T00:00:00Z&to=2026-11-10T00:00:00Z"
    error = refused(stack, "get", path, None, 422)
    assert error["fields"] == {"to": ["must be after 'from'"]}
    error = refused(stack, "get", f"/shops/{shop}/metrics?from=yesterday&to=2026-11-10T00:00:00Z", None, 422)
    assert "from" in error["fields"]


def test_buyer_and_address_are_checked(stack, shop):
    body = order_body()
    body["buyer"] = {**body["buyer"], "timezone": "Mars/Olympus"}
    body["address"] = {**body["address"], "country": "china"}
    error = refused(stack, "post", f"/shops/{shop}/orders", body, 422)
    assert "timezone" in error["fields"]["buyer"] and "country" in error["fields"]["address"]
    abroad = order_body()
    abroad["address"] = {**abroad["address"], "country": "US"}
    error = refused(stack, "post", f"/shops/{shop}/orders", abroad, 422)
    assert error["fields"] == {"address": {"country": ["no shipping to this country"]}}


def test_another_shops_order_is_not_found(stack, shop):
    order = place(stack, shop)
    other = open_shop(stack, "taobao")
    error = refused(stack, "post", f"/shops/{other}/orders/{order['id']}/payments", {"method": "alipay"}, 404)
    assert error["fields"] == {"order_id": ["unknown order"]}


def test_payment_amount_must_be_the_total(stack, shop):
    order = place(stack, shop)
    path = f"/shops/{shop}/orders/{order['id']}/payments"
    error = refused(stack, "post", path, {"method": "alipay", "amount": "1.00"}, 422)
    assert error["fields"] == {"amount": ["must be 118.00 CNY"]}
    error = refused(stack, "post", path, {"method": "card", "result": "failed"}, 422)
    assert "failure_reason" in error["fields"]


@pytest.mark.parametrize("amount", ["0", "-5.00", "abc"])
def test_refund_amount_must_be_positive(stack, shop, amount):
    order = place(stack, shop)
    pay(stack, shop, order["id"])
    path = f"/shops/{shop}/orders/{order['id']}/refunds"
    error = refused(stack, "post", path, {"kind": "refund_only", "reason": "quality", "amount": amount}, 422)
    assert "amount" in error["fields"]


def test_unknown_reason_kind_and_ids(stack, shop):
    order = place(stack, shop)
    pay(stack, shop, order["id"])
    base = f"/shops/{shop}/orders/{order['id']}"
    error = refused(stack, "post", f"{base}/refunds", {"kind": "refund_only", "reason": "bored"}, 422)
    assert "reason" in error["fields"]
    error = refused(stack, "post", f"{base}/refunds/nope/approve", {"agent_id": "a1"}, 404)
    assert error["fields"] == {"refund_id": ["unknown refund"]}
    error = refused(stack, "post", f"{base}/reminders/nope/note", {"outcome": "no_reply", "noted_by": "a1"}, 404)
    assert error["fields"] == {"reminder_id": ["unknown reminder"]}
    shipment = ship(stack, shop, order["id"]).get_json()
    error = refused(stack, "post", f"{base}/shipments/{shipment['id']}/exceptions", {"kind": "alien"}, 422)
    assert "kind" in error["fields"]
    error = refused(stack, "post", f"{base}/shipments/nope/exceptions", {"kind": "delay"}, 404)
    assert error["fields"] == {"shipment_id": ["unknown shipment"]}
