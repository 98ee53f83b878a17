"""The public API's views behind the workbench's screens: the queue by tab with its counts, each row's last message
and waiting time; an order with everything about it; the work lists; one person's metrics with a daily trend; the
reply check the composer runs while a student types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.gateway.world import build_world


def test_the_queue_by_tab_longest_waiting_first_with_counts(served):
    world = build_world(served)
    me, base = world.headers["student1"], f"/api/v1/shops/{world.shops['A']}"
    world.call("POST", f"{base}/agents/me/status", me, json={"status": "online"})  # routed: the waiting ones are mine
    first, second = world.ids["ticket_c-a1"], world.ids["ticket_c-a2"]
    world.call("POST", f"{base}/tickets/{second}/messages", me, json={"body": "您好，马上为您查询"})

    mine = world.call("GET", f"{base}/queue?tab=mine", me)
    assert mine["tab"] == "mine" and mine["counts"]["mine"] == len(mine["items"]) >= 2
    assert mine["counts"]["all"] >= mine["counts"]["mine"] + mine["counts"]["unassigned"]
    rows = {item["id"]: item for item in mine["items"]}
    assert rows[first]["waiting_since"] and rows[first]["last_message"]["kind"] == "auto_reply"
    assert rows[second]["waiting_since"] is None
    assert rows[second]["last_message"] == {
        **rows[second]["last_message"],
        "author": "agent",
        "body": "您好，马上为您查询",
    }
    assert mine["items"][0]["id"] == first  # a buyer still waiting comes before one who was answered
    assert mine["chat_shop"] is True and mine["qianniu_seconds"] == 100  # taobao: a chat shop
    assert mine["targets"]["first_response_seconds"] == 180
    assert set(mine["clock"]) == {"shop_now", "wall_now", "speed", "paused"}

    orders_only = world.call("GET", f"{base}/queue?tab=all&kind=order", me)
    assert orders_only["items"] and {item["kind"] for item in orders_only["items"]} == {"order"}
    resolved = world.call("GET", f"{base}/queue?tab=all&status=resolved", me)
    assert resolved["items"] == [] and resolved["counts"]["all"] == 0
    bad = world.call("GET", f"{base}/queue?tab=everything", me, expect=422)
    assert "tab" in bad["fields"]
    marketplace = world.call("GET", f"/api/v1/shops/{world.shops['B']}/queue", world.headers["student2"])
    assert marketplace["chat_shop"] is False and marketplace["targets"]["first_response_seconds"] == 86400

    # the row's facts follow the ticket: a new buyer message is the last message, and the buyer waits again
    buyer = f"/api/v1/buyer/shops/{world.shops['A']}/tickets/{second}/messages"
    world.call("POST", buyer, world.buyer("A", "c-a2"), json={"body": "好的谢谢"})
    again = {item["id"]: item for item in world.call("GET", f"{base}/queue?tab=all", me)["items"]}
    assert again[second]["last_message"]["body"] == "好的谢谢" and again[second]["waiting_since"]


def test_an_order_with_everything_about_it(served):
    world = build_world(served)
    base, order = f"/api/v1/shops/{world.shops['A']}", world.ids["order_c-a1"]
    view = world.call("GET", f"{base}/order-views/{order}", world.headers["student1"])
    assert view["order"]["id"] == order and view["payments"][0]["result"] == "succeeded"
    assert view["reminders"] == [] and view["refunds"] == [] and view["unavailable"] == {}
    assert view["disputes"][0]["id"] == world.ids["dispute_c-a1"]
    assert world.ids["ticket_c-a1"] in {t["id"] for t in view["tickets"]} and view["clock"]["shop_now"]
    missing = world.gateway.get(f"{base}/order-views/{world.ids['order_c-b1']}", headers=world.headers["student1"])
    assert missing.status_code == 404 and world.ids["order_c-b1"] in missing.get_json()["message"]
    conversation = world.call("GET", f"{base}/conversations/{world.ids['ticket_c-a1']}", world.headers["student1"])
    assert conversation["reminders"] == [] and conversation["clock"]["speed"] == 1.0


def test_the_work_lists(served):
    world = build_world(served)
    shop, base = world.shops["A"], f"/api/v1/shops/{world.shops['A']}"
    buyer = f"/api/v1/buyer/shops/{shop}"
    world.call("POST", f"{base}/clock", world.headers["teacher"], json={"advance_seconds": 15 * 60})
    world.call("POST", f"{buyer}/orders/{world.ids['order_c-a1']}/refunds", world.buyer("A", "c-a1"),
               json={"kind": "refund_only", "reason": "quality", "amount": "1.00"})  # fmt: skip
    from tests.integration.gateway.conftest import pump

    pump(served)
    lists = world.call("GET", f"{base}/worklists", world.headers["student1"])
    assert lists["unavailable"] == {} and lists["shop_now"]
    refund = next(r for r in lists["refunds"] if r["order_id"] == world.ids["order_c-a1"])
    assert refund["status"] == "requested" and refund["buyer_name"] == "王小明" and refund["ticket_id"]
    assert [d["id"] for d in lists["disputes"]] == [world.ids["dispute_c-a1"]] and lists["disputes"][0]["respond_by"]
    due_ids = {row["order_id"] for row in lists["reminders_due"]}
    local_hour = (datetime.now(UTC) + timedelta(hours=8, minutes=15)).hour
    if 8 <= local_hour < 22:  # outside the buyer's night the unpaid order may be reminded
        assert world.ids["order_c-a2"] in due_ids
    assert world.ids["order_c-a1"] not in due_ids  # paid


def test_my_metrics_with_a_daily_trend(served):
    world = build_world(served)
    me, base = world.headers["student1"], f"/api/v1/shops/{world.shops['A']}"
    world.call("POST", f"{base}/agents/me/status", me, json={"status": "online"})
    world.call("POST", f"{base}/tickets/{world.ids['ticket_c-a1']}/messages", me, json={"body": "您好"})
    figures = world.call("GET", f"{base}/my-metrics", me)
    assert figures["agent"] == world.users["student1"] and len(figures["daily"]) == 7
    assert figures["tickets"]["first_response"]["count"] == 1 and figures["unavailable"] == {}
    assert figures["daily"][-1]["first_responses"] == 1 and figures["daily"][0]["first_responses"] == 0
    assert figures["orders"]["mine"]["reminded_orders"] == 0
    today = figures["daily"][-1]["date"]
    one_day = world.call("GET", f"{base}/my-metrics?from={today}&to={today}", me)
    assert [day["date"] for day in one_day["daily"]] == [today]
    whole_shop = world.call("GET", f"{base}/my-metrics", world.headers["teacher"])
    assert whole_shop["agent"] is None and whole_shop["orders"]["mine"] is None
    too_long = world.call("GET", f"{base}/my-metrics?from=2026-01-01&to=2026-03-01", me, expect=422)
    assert "from" in too_long["fields"]
    backwards = world.call("GET", f"{base}/my-metrics?from=2026-03-01&to=2026-02-01", me, expect=422)
    assert "to" in backwards["fields"]


def test_the_reply_check_names_the_rule_and_the_words(served):
    world = build_world(served)
    me, base = world.headers["student1"], f"/api/v1/shops/{world.shops['A']}"
    refused = world.call("POST", f"{base}/reply-check", me, json={"body": "加我微信，全网最低价"})
    assert refused["verdict"] == "refuse"
    assert {v["rule"]: v["matched"] for v in refused["violations"]} == {
        "off_platform": ["微信"],
        "absolute_advertising": ["全网最低"],
    }
    assert refused["violations"][0]["description_zh"]
    warned = world.call("POST", f"{base}/reply-check", me, json={"body": "保证明天到哦"})
    assert warned["verdict"] == "warn" and warned["violations"][0]["action"] == "warn"
    assert world.call("POST", f"{base}/reply-check", me, json={"body": "您好，有货的"}) == {
        "verdict": "ok",
        "violations": [],
    }
    cross_border = f"/api/v1/shops/{world.shops['B']}/reply-check"
    email = world.call("POST", cross_border, world.headers["student2"], json={"body": "write to me@example.com"})
    assert email["verdict"] == "refuse"
    assert "body" in world.call("POST", f"{base}/reply-check", me, expect=422, json={})["fields"]
