"""The HTTP port against the real gateway and services: what a buyer does reaches the shop through the buyer API
only, and what the student does comes back to the buyer as observations (a reply with its wait and its author, a
payment reminder, a shipment, a refund decision, a dispute proposal, a resolved conversation), through the real bus
(the gateway's worker keeps the shop's feed) and the buyer routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shoplab.shops.clock import ShopClock
from simulator.gateway_http import BuyerApi, GatewayHttp
from simulator.http_port import HttpShopPort
from simulator.port import OrderLine, Refused
from tests.integration.simulator.conftest import call as _call
from tests.stack import eventually

CARD = {
    "customer_id": "b0001",
    "name": "Emma Johnson",
    "country": "US",
    "timezone": "UTC",
    "language": "en",
    "address": {"recipient": "Emma Johnson", "line1": "350 Fifth Avenue", "city": "New York", "country": "US"},
}


def test_what_the_student_does_comes_back_to_the_buyer(shop_world):
    stack = shop_world
    gw = stack.client("gateway")
    teacher = stack.sign_in()
    login = _call(gw, "POST", "/api/v1/auth/login", {}, json={"username": "student2", "password": "student-demo"})
    student = {"Authorization": f"Bearer {login['token']}"}
    shop = _call(gw, "GET", "/api/v1/shops", student)[0]["id"]
    staff = f"/api/v1/shops/{shop}"
    key = _call(gw, "POST", f"{staff}/buyer-keys", teacher, json={"label": "port test"})["key"]
    clock = {"now": ShopClock.started()}
    port = HttpShopPort(BuyerApi(GatewayHttp(), shop, key), lambda wall: clock["now"].now(wall))
    seen: list = []

    def observed(kind: str, **match):
        def look():
            seen.extend(port.observe(None)[0])
            return [o for o in seen if o.kind == kind and all(getattr(o, k) == v for k, v in match.items())]

        return eventually(look, timeout=20, message=f"the buyer sees {kind}")[0]

    online = lambda: gw.post(f"{staff}/agents/me/status", headers=student, json={"status": "online"}).status_code == 200  # noqa: E731
    eventually(online, timeout=20, message="the shop and its agents reached the tickets service")
    port.register_buyer(CARD)
    orders_knows = lambda: gw.get(f"{staff}/products", headers=student).status_code == 200  # noqa: E731
    eventually(orders_knows, timeout=20, message="the shop reached the orders service")
    product = port.browse("b0001")[0]
    order = port.place_order("b0001", [OrderLine(product.skus[0])])
    assert order.state == "unpaid" and order.number

    # a question, answered by the student: the buyer reads the reply, its wait and who wrote it
    conversation = port.open_conversation("b0001", "Hi, when will it ship?", "en", kind="order", order_id=order.id)
    _call(gw, "POST", f"{staff}/tickets/{conversation}/messages", student, json={"body": "Hello, it ships today."})
    reply = observed("reply", conversation_id=conversation)
    assert reply.text == "Hello, it ships today." and reply.facts["wall_delay_seconds"] > 0
    assert reply.facts["agent_id"] == login["user"]["id"]

    # a payment reminder (the clock moved past the platform's first hour, to midday of the buyer's zone)
    now = datetime.now(UTC)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1)
    shop_view = _call(gw, "POST", f"{staff}/clock", teacher, json={"advance_seconds": (noon - now).total_seconds()})
    clock["now"] = ShopClock(
        datetime.fromisoformat(shop_view["clock"]["wall_anchor"]),
        datetime.fromisoformat(shop_view["clock"]["sim_anchor"]),
        1.0,
    )
    text = f"Dear Emma, order {order.number} is waiting for payment."
    remind = lambda: gw.post(f"{staff}/orders/{order.id}/reminders", headers=student,  # noqa: E731
                             json={"channel": "platform_message", "text": text}).status_code == 201  # fmt: skip
    eventually(remind, timeout=20, message="the new clock reached the orders service; the reminder sent")
    reminder = observed("reminder", order_id=order.id)
    assert order.number in reminder.text and reminder.facts["number"] == 1

    # paid, shipped: the buyer sees the carrier, the tracking number and the promised delivery
    paid = port.pay("b0001", order.id, "card", succeed=True, failure_reason=None)
    assert paid.state == "paid"
    _call(
        gw,
        "POST",
        f"{staff}/orders/{order.id}/shipments",
        student,
        json={"carrier": "Cainiao", "tracking_no": "LP00512345678901"},
    )
    shipped = observed("shipped", order_id=order.id)
    assert shipped.facts["tracking_no"] == "LP00512345678901" and shipped.facts["expected_by"] is not None

    # a refund asked and rejected with a note; a dispute and the shop's proposal
    refund = port.request_refund("b0001", order.id, kind="refund_only", reason="quality", note="It broke.")
    refunds = _call(gw, "GET", f"{staff}/orders/{order.id}/refunds", student)
    assert [r["id"] for r in refunds] == [refund]
    _call(
        gw, "POST", f"{staff}/orders/{order.id}/refunds/{refund}/reject", student, json={"note": "Please send photos."}
    )
    decided = observed("refund_decided", order_id=order.id)
    assert decided.facts["decision"] == "rejected" and decided.text == "Please send photos."
    dispute = port.open_dispute("b0001", order.id, reason="quality", amount=order.total, statement="It broke.")
    _call(gw, "POST", f"{staff}/disputes/{dispute}/proposal", student,
          json={"kind": "partial_refund", "amount": "1.00", "note": "We offer a partial refund today."})  # fmt: skip
    proposed = observed("dispute_proposed", ref=dispute)
    assert proposed.facts["proposal"] == "partial_refund" and proposed.facts["amount"] == "1.00"
    with pytest.raises(Refused) as refused:
        port.open_dispute("b0001", order.id, reason="quality", amount=order.total, statement="Again.")
    assert refused.value.status in (409, 422)

    # the conversation resolved
    _call(gw, "POST", f"{staff}/tickets/{conversation}/status", student, json={"status": "resolved"})
    observed("ticket_resolved", conversation_id=conversation)
