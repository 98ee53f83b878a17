"""Refunds and returns (售后): full and partial refunds never above what was paid, agent decisions with notes, the
return chain to a refund or an exchange, and the platform's return windows."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.integration.orders.shop_setup import (
    AGENT,
    move_clock,
    open_shop,
    outbox,
    pay,
    place,
    ship,
    tracking_no,
)
from tests.timers import tick


def delivered_order(stack, platform: str = "taobao") -> tuple[str, dict]:
    shop = open_shop(stack, platform, paused=True)
    order = place(stack, shop, platform)
    pay(stack, shop, order["id"], method="alipay" if platform == "taobao" else "card")
    carrier = order["shipping_carrier"]  # the one the buyer got at checkout
    assert ship(stack, shop, order["id"], carrier, tracking_no(platform, carrier)).status_code == 201
    move_clock(stack, shop, by=timedelta(days=order["delivery_days_max"] + 1))
    tick(stack.runtime("orders").db, "orders.advance_tracking")
    delivered = stack.client("orders").get(f"/shops/{shop}/orders/{order['id']}").get_json()
    assert delivered["state"] == "delivered"
    return shop, delivered


def test_partial_refunds_up_to_what_was_paid(stack):
    shop = open_shop(stack, paused=True)
    client = stack.client("orders")
    order = place(stack, shop)  # 118.00
    path = f"/shops/{shop}/orders/{order['id']}/refunds"
    unpaid = client.post(path, json={"kind": "refund_only", "reason": "changed_mind"})
    assert unpaid.status_code == 409 and unpaid.get_json()["current_state"] == "unpaid"
    pay(stack, shop, order["id"])
    first = client.post(path, json={"kind": "refund_only", "reason": "quality", "amount": "30.00", "note": "线头"})
    assert first.status_code == 201 and first.get_json()["status"] == "requested"
    approved = client.post(f"{path}/{first.get_json()['id']}/approve", json={"agent_id": AGENT, "note": "补偿"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "completed"
    second = client.post(path, json={"kind": "refund_only", "reason": "not_as_described", "amount": "50.00"})
    no_note = client.post(f"{path}/{second.get_json()['id']}/reject", json={"agent_id": AGENT})
    assert no_note.status_code == 422 and "note" in no_note.get_json()["fields"]
    rejected = client.post(
        f"{path}/{second.get_json()['id']}/reject", json={"agent_id": AGENT, "note": "图片与描述一致"}
    )
    assert rejected.get_json()["status"] == "rejected" and rejected.get_json()["decision_note"] == "图片与描述一致"
    twice = client.post(f"{path}/{second.get_json()['id']}/approve", json={"agent_id": AGENT})
    assert twice.status_code == 409 and twice.get_json()["refund_status"] == "rejected"
    # the rejected 50.00 no longer counts: 88.00 may still be refunded, not a cent more
    over = client.post(path, json={"kind": "refund_only", "reason": "quality", "amount": "88.01"})
    assert over.status_code == 422
    rest = client.post(path, json={"kind": "refund_only", "reason": "quality"})  # no amount: all that is left
    assert rest.get_json()["amount"] == "88.00"
    client.post(f"{path}/{rest.get_json()['id']}/approve", json={"agent_id": AGENT})
    final = client.get(f"/shops/{shop}/orders/{order['id']}").get_json()
    # everything went back before the parcel left: the order is closed and its stock released
    assert (final["state"], final["refunded"], final["cancel_reason"]) == ("cancelled", "118.00", "refunded")
    types = [e["type"] for e in outbox(stack, shop) if e["type"].startswith("refund.")]
    assert types == ["refund.requested", "refund.approved", "refund.completed", "refund.requested",
                     "refund.rejected", "refund.requested", "refund.approved", "refund.completed"]  # fmt: skip


def test_return_chain_to_refund(stack):
    shop, order = delivered_order(stack)
    assert order["state"] == "delivered"
    client = stack.client("orders")
    requested = client.post(
        f"/shops/{shop}/orders/{order['id']}/refunds",
        json={"kind": "return_and_refund", "reason": "damaged", "amount": "59.00", "note": "one shirt torn"},
    )
    assert requested.status_code == 201
    refund = requested.get_json()
    base = f"/shops/{shop}/orders/{order['id']}/returns"
    ret = client.get(base).get_json()[0]
    assert (ret["status"], ret["refund_id"], ret["resolution"]) == ("requested", refund["id"], "refund")
    second = client.post(base, json={"reason": "quality"})
    assert second.status_code == 409 and second.get_json()["return_id"] == ret["id"]
    early = client.post(f"{base}/{ret['id']}/receive", json={"agent_id": AGENT})
    assert early.status_code == 409 and early.get_json()["return_status"] == "requested"
    approved = client.post(
        f"/shops/{shop}/orders/{order['id']}/refunds/{refund['id']}/approve", json={"agent_id": AGENT, "note": "ok"}
    )
    assert approved.get_json()["status"] == "approved"  # money waits for the goods
    ret = client.get(base).get_json()[0]
    assert ret["status"] == "approved" and ret["return_address"]["city"] == "Yiwu 义乌"
    bad = client.post(f"{base}/{ret['id']}/ship-back", json={"carrier": "SF", "tracking_no": "12345"})
    assert bad.status_code == 422 and "tracking_no" in bad.get_json()["fields"]
    back = client.post(f"{base}/{ret['id']}/ship-back", json={"carrier": "SF", "tracking_no": "SF1403716928374"})
    assert back.get_json()["status"] == "shipped_back"
    assert client.post(f"{base}/{ret['id']}/receive", json={"agent_id": AGENT, "note": "撕裂属实"}).status_code == 200
    exchange = client.post(
        f"{base}/{ret['id']}/exchange", json={"agent_id": AGENT, "carrier": "ZTO", "tracking_no": "731284569012"}
    )
    assert exchange.status_code == 409  # the buyer asked for money, not an exchange
    refunded = client.post(f"{base}/{ret['id']}/refund", json={"agent_id": AGENT})
    assert refunded.get_json()["status"] == "refunded"
    final = client.get(f"/shops/{shop}/orders/{order['id']}").get_json()
    assert (final["state"], final["refunded"]) == ("delivered", "59.00")
    types = [e["type"] for e in outbox(stack, shop) if e["type"].split(".")[0] in ("refund", "return")]
    assert types == ["refund.requested", "return.requested", "refund.approved", "return.approved", "return.shipped",
                     "return.received", "refund.completed", "return.refunded"]  # fmt: skip


def test_exchange_ships_a_replacement(stack):
    shop, order = delivered_order(stack)
    client = stack.client("orders")
    base = f"/shops/{shop}/orders/{order['id']}/returns"
    ret = client.post(base, json={"resolution": "exchange", "reason": "wrong_item", "note": "要L码发成了M码"})
    assert ret.status_code == 201 and ret.get_json()["refund_id"] is None
    ret_id = ret.get_json()["id"]
    client.post(f"{base}/{ret_id}/approve", json={"agent_id": AGENT})
    client.post(f"{base}/{ret_id}/ship-back", json={"carrier": "YTO", "tracking_no": "YT7302919581234"})
    client.post(f"{base}/{ret_id}/receive", json={"agent_id": AGENT})
    exchanged = client.post(
        f"{base}/{ret_id}/exchange",
        json={"agent_id": AGENT, "carrier": "ZTO", "tracking_no": tracking_no("taobao", "ZTO", skip=1)},
    )
    assert exchanged.status_code == 200 and exchanged.get_json()["status"] == "exchanged"
    parcels = client.get(f"/shops/{shop}/orders/{order['id']}/tracking").get_json()["shipments"]
    assert [p["shipment"]["kind"] for p in parcels] == ["original", "exchange"]
    reshipped = outbox(stack, shop, "order.reshipped")[0]["payload"]
    assert reshipped["reason"] == "exchange" and reshipped["shipment_id"] == parcels[1]["shipment"]["id"]
    assert outbox(stack, shop, "return.exchanged")[0]["payload"]["return_id"] == ret_id


def test_return_windows_come_from_the_profile(stack):
    client = stack.client("orders")
    shop, order = delivered_order(stack)  # taobao: 7-day no-reason returns, 15-day return window
    base = f"/shops/{shop}/orders/{order['id']}/returns"
    delivered_at = datetime.fromisoformat(order["delivered_at"])
    move_clock(stack, shop, to=delivered_at + timedelta(days=7, minutes=1))
    late_mind = client.post(base, json={"reason": "changed_mind"})
    assert late_mind.status_code == 422 and "within 7 days" in late_mind.get_json()["fields"]["reason"][0]
    assert client.post(base, json={"reason": "quality"}).status_code == 201

    shop2, order2 = delivered_order(stack, "aliexpress")  # no returns without a reason at all
    base2 = f"/shops/{shop2}/orders/{order2['id']}/returns"
    refused = client.post(base2, json={"reason": "changed_mind"})
    assert refused.status_code == 422 and refused.get_json()["fields"] == {"reason": ["not on this platform"]}
    move_clock(stack, shop2, to=datetime.fromisoformat(order2["delivered_at"]) + timedelta(days=15, minutes=1))
    closed = client.post(base2, json={"reason": "quality"})
    assert closed.status_code == 409 and closed.get_json()["fields"] == {"order_id": ["return window closed"]}


def test_within_the_no_reason_window_a_changed_mind_is_accepted(stack):
    shop, order = delivered_order(stack, "amazon")  # 30-day returns without a reason
    client = stack.client("orders")
    move_clock(stack, shop, to=datetime.fromisoformat(order["delivered_at"]) + timedelta(days=29))
    accepted = client.post(f"/shops/{shop}/orders/{order['id']}/returns", json={"reason": "changed_mind"})
    assert accepted.status_code == 201 and accepted.get_json()["status"] == "requested"
