"""Shop and agent metrics for a period, computed in the database, on SQLite and PostgreSQL: a small shop history
with known outcomes, and the figures DESIGN.md's formulas give for it."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.orders.shop_setup import move_clock, open_shop, order_body, pay, tracking_no
from tests.timers import tick

A, B = "agent-a", "agent-b"
PERIOD = "from=2026-11-10T00:00:00Z&to=2026-12-10T00:00:00Z"


def test_figures_per_shop_and_per_agent(stack):
    shop = open_shop(stack, paused=True)  # 2026-11-10 10:00 in Shanghai
    client = stack.client("orders")

    def place(sku: str, quantity: int = 1, customer: str = "c-wang") -> dict:
        body = order_body(lines=[{"sku": sku, "quantity": quantity}])
        body["buyer"] = {**body["buyer"], "customer_id": customer}
        response = client.post(f"/shops/{shop}/orders", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    o1 = place("TB1001-BLACK-M", 2)  # 118.00, reminded by A, then paid: recovered
    o2 = place("TB1001-WHITE-L")  # 59.00, reminded by B, never paid
    o3 = place("TB1025-PINK")  # cancelled by the buyer
    o4 = place("TB1006-MATTEBLACK", customer="c-li")  # 89.00, shipped late by A, returned and refunded
    o5 = place("TB1016-BRICKRED")  # 99.00, shipped on time by B, lost before the carrier scanned it
    assert client.post(f"/shops/{shop}/orders/{o3['id']}/cancel", json={"by": "buyer"}).status_code == 200
    move_clock(stack, shop, by=timedelta(minutes=10))
    for order, agent in ((o1, A), (o2, B)):
        sent = client.post(
            f"/shops/{shop}/orders/{order['id']}/reminders", json={"channel": "chat", "text": "亲～", "sent_by": agent}
        )
        assert sent.status_code == 201
    for order in (o1, o4, o5):
        pay(stack, shop, order["id"])
    parcel = client.post(
        f"/shops/{shop}/orders/{o5['id']}/shipments",
        json={"carrier": "ZTO", "tracking_no": tracking_no("taobao", "ZTO"), "shipped_by": B},
    ).get_json()
    lost = client.post(f"/shops/{shop}/orders/{o5['id']}/shipments/{parcel['id']}/exceptions", json={"kind": "lost"})
    assert lost.status_code == 201
    move_clock(stack, shop, by=timedelta(days=3))  # past the 2-day handling time
    late = client.post(
        f"/shops/{shop}/orders/{o4['id']}/shipments",
        json={"carrier": "YTO", "tracking_no": tracking_no("taobao", "YTO"), "shipped_by": A},
    )
    assert late.get_json()["late"] is True
    move_clock(stack, shop, by=timedelta(days=6))
    tick(stack.runtime("orders").db, "orders.advance_tracking")
    refund = client.post(
        f"/shops/{shop}/orders/{o4['id']}/refunds", json={"kind": "return_and_refund", "reason": "damaged"}
    ).get_json()
    client.post(f"/shops/{shop}/orders/{o4['id']}/refunds/{refund['id']}/approve", json={"agent_id": A})
    base = f"/shops/{shop}/orders/{o4['id']}/returns/{refund['return_id']}"
    client.post(f"{base}/ship-back", json={"carrier": "SF", "tracking_no": "SF1403716928374"})
    client.post(f"{base}/receive", json={"agent_id": A})
    assert client.post(f"{base}/refund", json={"agent_id": A}).get_json()["status"] == "refunded"

    response = client.get(f"/shops/{shop}/metrics?{PERIOD}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["currency"] == "CNY"
    assert body["shop"] == {
        "orders_placed": 5,
        "orders_cancelled": 1,
        "cancellation_rate": 0.2,
        "orders_paid": 3,
        "paid_amount": "306.00",
        "paying_buyers": 2,
        "average_order_value": "153.00",  # paid amount / paying buyers
        "refunded_orders": 1,
        "refund_rate": 0.3333,
        "dispute_refunded_orders": 0,
        "dispute_refund_rate": 0.0,
        "orders_shipped": 2,
        "late_shipments": 1,
        "late_shipment_rate": 0.5,
        "returned_orders": 1,
        "return_rate": 0.5,
        "parcels_shipped": 2,
        "parcels_tracked": 1,
        "valid_tracking_rate": 0.5,
        "reminded_orders": 2,
        "recovered_orders": 1,
        "reminder_success_rate": 0.5,
        "recovered_amount": "118.00",
    }
    agents = {row["agent_id"]: row for row in body["agents"]}
    assert set(agents) == {A, B}
    assert agents[A] == {
        "agent_id": A,
        "reminded_orders": 1,
        "recovered_orders": 1,
        "reminder_success_rate": 1.0,
        "recovered_amount": "118.00",
        "refunds_approved": 1,
        "refunds_rejected": 0,
        "refund_amount_approved": "89.00",
        "parcels_shipped": 1,
        "late_shipments": 1,
        "late_shipment_rate": 1.0,
        "parcels_tracked": 1,
        "valid_tracking_rate": 1.0,
    }
    assert (agents[B]["reminder_success_rate"], agents[B]["recovered_amount"]) == (0.0, "0.00")
    assert (agents[B]["parcels_shipped"], agents[B]["late_shipment_rate"], agents[B]["valid_tracking_rate"]) == (
        1,
        0.0,
        0.0,
    )

    only_b = client.get(f"/shops/{shop}/metrics?{PERIOD}&agent={B}").get_json()
    assert [row["agent_id"] for row in only_b["agents"]] == [B]
    before = client.get(f"/shops/{shop}/metrics?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z").get_json()
    assert before["shop"]["orders_placed"] == 0 and before["shop"]["refund_rate"] is None
    assert before["shop"]["average_order_value"] is None and before["agents"] == []
