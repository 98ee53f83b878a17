"""The tickets worker on the real bus: shops and agents from the gateway, tasks opened and closed by the orders
service's events (published here through another service's outbox, so the real relay carries them), events out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from shoplab.eventbus.envelope import parse_message
from shoplab.eventbus.tables import OutboxMessage
from tests.integration.tickets.conftest import order_ref, paid, placed, publish_elsewhere
from tests.stack import eventually


def _demo_shop(stack) -> tuple[str, str]:
    from gateway.models import Shop, ShopMember

    with stack.runtime("gateway").db.reading() as session:
        shop = session.scalar(select(Shop).where(Shop.platform == "taobao"))
        member = session.scalar(select(ShopMember).where(ShopMember.shop_id == shop.id))
        return shop.id, member.user_id


def _tickets(client, shop_id, **query):
    response = client.get(f"/shops/{shop_id}/tickets", query_string={"limit": 100, **query})
    return response.get_json()["items"] if response.status_code == 200 else []


def test_order_events_open_and_close_tasks_through_real_workers(stack):
    stack.worker("tickets")
    stack.sign_in()  # seeds the demo class: shop.opened and agent.joined travel to the tickets worker
    shop_id, agent_id = _demo_shop(stack)
    client = stack.client("tickets")
    # the shop itself travels by event too: until it arrives, its agents are answered 404
    agents = eventually(lambda: (r := client.get(f"/shops/{shop_id}/agents")).status_code == 200 and r.get_json(),
                        timeout=15)  # fmt: skip
    assert [a["agent_id"] for a in agents] == [agent_id] and agents[0]["status"] == "offline"
    publish_elsewhere(stack, "agent.status_changed", shop_id,
                      {"agent_id": agent_id, "shop_id": shop_id, "status": "online"})  # fmt: skip
    eventually(lambda: client.get(f"/shops/{shop_id}/agents").get_json()[0]["status"] == "online", timeout=10)

    due_payload = {"amount": "99.00", "currency": "CNY", "pay_by": datetime.now(UTC) + timedelta(hours=24)}
    # out of order: paid before the reminder falls due — nothing stale enters the queue
    publish_elsewhere(stack, "order.paid", shop_id, paid("o0"))
    publish_elsewhere(stack, "payment.reminder_due", shop_id, {**order_ref("o0"), **due_payload})
    publish_elsewhere(stack, "order.placed", shop_id, placed("o1"))
    publish_elsewhere(stack, "payment.reminder_due", shop_id, {**order_ref("o1"), **due_payload})
    exception = {"shipment_id": "sh2", "carrier": "SF", "tracking_no": "SF0002", "kind": "lost",
                 "occurred_at": datetime.now(UTC)}  # fmt: skip
    publish_elsewhere(stack, "shipment.exception", shop_id, {**order_ref("o2", "c2"), **exception})
    refund = {"refund_id": "rf3", "amount": "20.00", "currency": "CNY", "reason": "damaged", "kind": "refund_only",
              "occurred_at": datetime.now(UTC)}  # fmt: skip
    publish_elsewhere(stack, "refund.requested", shop_id, {**order_ref("o3", "c3"), **refund})

    opened = eventually(lambda: (t := _tickets(client, shop_id, status="active")) and len(t) == 3 and t, timeout=15)
    by_kind = {t["kind"]: t for t in opened}
    assert set(by_kind) == {"payment_reminder", "logistics", "refund"}
    assert by_kind["payment_reminder"]["order_no"] == "NO-o1" and by_kind["payment_reminder"]["assignee_id"] == agent_id
    assert by_kind["payment_reminder"]["buyer_name"] == "Ana García"

    reminder = {"reminder_id": "r1", "channel": "chat", "sent_by": agent_id, "sent_at": datetime.now(UTC)}
    publish_elsewhere(stack, "payment.reminder_sent", shop_id, {**order_ref("o1"), **reminder})
    publish_elsewhere(stack, "order.delivered", shop_id,
                      {**order_ref("o2", "c2"), "shipment_id": "sh2", "delivered_at": datetime.now(UTC)})  # fmt: skip
    closed = eventually(lambda: (t := _tickets(client, shop_id, status="closed")) and len(t) == 2 and t, timeout=15)
    assert {(t["kind"], t["close_reason"]) for t in closed} == {
        ("payment_reminder", "reminder_sent"),
        ("logistics", "delivered"),
    }
    assert [t["kind"] for t in _tickets(client, shop_id, status="active")] == ["refund"]

    # inquiry conversion: the buyer asks, the agent answers, then the buyer orders and pays
    asked = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c5", "body": "有现货吗"}).get_json()
    reply = client.post(f"/shops/{shop_id}/tickets/{asked['id']}/messages",
                        json={"author": "agent", "agent_id": agent_id, "body": "有的亲，今天下单今天发"})  # fmt: skip
    assert reply.status_code == 201
    publish_elsewhere(stack, "order.placed", shop_id, placed("o5", "c5"))
    publish_elsewhere(stack, "order.paid", shop_id, paid("o5", "c5"))
    eventually(lambda: client.get(f"/shops/{shop_id}/tickets/{asked['id']}").get_json()["converted"], timeout=10)
    start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    metrics = client.get(f"/shops/{shop_id}/metrics", query_string={"from": start, "to": end, "agent": agent_id})
    assert metrics.get_json()["inquiry_conversion"]["rate"] == 1.0

    assert client.get("/dead-letters").get_json() == []
    with stack.runtime("tickets").db.reading() as session:
        messages = [json.loads(row.message) for row in session.scalars(select(OutboxMessage)).all()]
    events = [parse_message(message) for message in messages]  # every event we published meets its contract
    types = {event.type for event in events}
    assert {"ticket.opened", "ticket.assigned", "ticket.closed", "message.received", "message.replied"} <= types
    assert all(event.source == "tickets" and event.shop_id == shop_id for event in events)
