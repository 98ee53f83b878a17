"""SLA breach detection and dispute escalation: timer tasks run by the real tickets worker, on each shop's
simulated clock (moved forward through ``shop.clock_changed`` on the real bus)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import select

from shoplab.eventbus.celery_setup import make_celery
from shoplab.eventbus.tables import OutboxMessage
from shoplab.shops.clock import ShopClock
from shoplab.timetable import TIMETABLE
from tests.integration.tickets.conftest import order_ref, paid, placed, publish_elsewhere
from tests.stack import eventually


def _published(stack, event_type: str) -> list[dict]:
    with stack.runtime("tickets").db.reading() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.type == event_type)).all()
        return [json.loads(row.message)["payload"] for row in rows]


def test_timers_are_in_the_timetable():
    assert {"tickets.check_sla", "tickets.escalate_disputes"} <= set(TIMETABLE["tickets"])


def _heard(stack, client, shop_id: str) -> bool:
    from services.tickets.models import OrderFacts

    agents = client.get(f"/shops/{shop_id}/agents")
    if agents.status_code != 200 or [agent["agent_id"] for agent in agents.get_json()] != ["a1"]:
        return False
    with stack.runtime("tickets").db.reading() as session:
        facts = session.get(OrderFacts, (shop_id, "o1"))
        return facts is not None and facts.paid_amount_cents is not None


def test_breach_and_escalation_follow_the_shop_clock(stack):
    stack.worker("tickets")
    beat = make_celery("test-beat")
    shop_id = uuid.uuid4().hex[:12]
    clock = ShopClock.started()
    publish_elsewhere(stack, "shop.opened", shop_id, {"shop_id": shop_id, "name": "计时店", "platform": "taobao",
                                                      "currency": "CNY", "clock": clock.to_dict()})  # fmt: skip
    publish_elsewhere(stack, "agent.joined", shop_id, {"agent_id": "a1", "shop_id": shop_id, "display_name": "A1"})
    publish_elsewhere(stack, "order.placed", shop_id, placed("o1", total="80.00"))
    publish_elsewhere(stack, "order.paid", shop_id, paid("o1", amount="80.00"))
    client = stack.client("tickets")
    # events between services keep no order: wait for the shop, its agent and the paid order alike (until the shop
    # arrives its agents are answered 404, whose error body is no proof of anything)
    eventually(lambda: _heard(stack, client, shop_id), timeout=20, message="shop, agent and paid order reached tickets")

    waiting = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "body": "在吗？"}).get_json()
    pending = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c2", "body": "你好"}).get_json()
    assert client.post(f"/shops/{shop_id}/agents/a1/status", json={"status": "online"}).status_code == 200
    ask = {"author": "agent", "agent_id": "a1", "body": "请问订单号？", "await_buyer": True}
    replied = client.post(f"/shops/{shop_id}/tickets/{pending['id']}/messages", json=ask)
    assert replied.get_json()["ticket"]["status"] == "pending"
    dispute = client.post(f"/shops/{shop_id}/disputes", json={"order_id": "o1", "reason": "not_as_described",
                          "amount_requested": "80.00", "evidence": ["photo"]}).get_json()  # fmt: skip
    assert dispute["status"] == "awaiting_seller"

    beat.send_task("tickets.check_sla", queue="tickets")
    beat.send_task("tickets.escalate_disputes", queue="tickets")
    # nothing is due yet on the shop's clock; give the worker time to run both passes
    eventually(lambda: stack.redis.llen("tickets") == 0, timeout=10)
    assert client.get(f"/shops/{shop_id}/tickets/{waiting['id']}").get_json()["sla"]["breaches"] == 0

    # the instructor moves the shop 73 hours ahead: the 3-minute target and the 72-hour dispute window pass
    later = clock.changed(advance=timedelta(hours=73))
    publish_elsewhere(stack, "shop.clock_changed", shop_id, {"shop_id": shop_id, "clock": later.to_dict()})
    eventually(lambda: client.get(f"/shops/{shop_id}").get_json()["clock"]["version"] == 2, timeout=10)
    beat.send_task("tickets.check_sla", queue="tickets")
    beat.send_task("tickets.escalate_disputes", queue="tickets")

    sla = eventually(
        lambda: (s := client.get(f"/shops/{shop_id}/tickets/{waiting['id']}").get_json()["sla"])["breaches"] and s,
        timeout=15,
    )
    assert sla["first_response_breached"] is True and sla["resolution_breached"] is True
    assert client.get(f"/shops/{shop_id}/tickets/{pending['id']}").get_json()["sla"]["breaches"] == 0  # paused
    ruled = eventually(
        lambda: (d := client.get(f"/shops/{shop_id}/disputes/{dispute['id']}").get_json())["status"] == "ruled" and d,
        timeout=15,
    )
    assert ruled["ruling"]["outcome"] == "buyer" and ruled["ruling"]["reason"] == "no_seller_response"
    assert ruled["escalation_reason"] == "no_seller_response"
    breaches = _published(stack, "ticket.sla_breached")
    # 73 shop hours also pass the 24-hour resolution target; the pending ticket's clock stood still
    assert sorted(b["target"] for b in breaches if b["ticket_id"] == waiting["id"]) == ["first_response", "resolution"]
    assert [b for b in breaches if b["ticket_id"] == pending["id"]] == []
    [ruling] = _published(stack, "dispute.ruled")
    assert (ruling["refund_amount"], ruling["arbitrated"], ruling["order_id"]) == ("80.00", True, "o1")
    assert _published(stack, "dispute.escalated")[0]["dispute_id"] == dispute["id"]
    assert order_ref("o1")["order_no"] == ruling["order_no"]
