"""The conversation's timeline on two clocks, and the numbers people read: business events placed by the clock that
ran when they happened (speed changes, pauses, jumps), both clocks shown only where they differ; reply times and
rates in the page's language; the queue's facts of a ticket; the chat-shop rule by profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from gateway.queue_view import is_chat_shop, quoted_row
from gateway.shops import wall_time_of
from gateway.web import install_web
from gateway.web.formats import duration, percent
from gateway.web.timeline import build
from shoplab.shops.clock import ShopClock

T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)  # 10:00 in the classroom


def history() -> list[ShopClock]:
    """Opened at T0 at speed 1; at T0+10 min sped up to 60x; at T0+20 min jumped a day ahead; paused at T0+30 min."""
    first = ShopClock.started(T0)
    faster = first.changed(speed=60, at=T0 + timedelta(minutes=10))
    jumped = faster.changed(advance=timedelta(days=1), at=T0 + timedelta(minutes=20))
    paused = jumped.changed(paused=True, at=T0 + timedelta(minutes=30))
    return [first, faster, jumped, paused]


def test_a_shop_moment_is_told_by_the_clock_that_ran_then():
    clocks = history()
    assert wall_time_of(clocks, T0 + timedelta(minutes=5)) == T0 + timedelta(minutes=5)
    # at 60x, ten wall minutes are ten shop hours
    sped = clocks[1].sim_anchor + timedelta(hours=5)
    assert wall_time_of(clocks, sped) == T0 + timedelta(minutes=15)
    after_jump = clocks[2].sim_anchor + timedelta(hours=1)
    assert wall_time_of(clocks, after_jump) == T0 + timedelta(minutes=21)
    assert wall_time_of(clocks, clocks[3].sim_anchor) == T0 + timedelta(minutes=30)  # paused: the pause's start
    assert wall_time_of([], T0) is None


@pytest.fixture
def app_context():
    app = Flask("timeline")
    app.config["SECRET_KEY"] = "x"
    install_web(app, pages=False)
    with app.test_request_context("/"):
        yield


def test_messages_and_business_events_in_one_timeline(app_context):
    clocks = history()
    paid_at = clocks[1].sim_anchor + timedelta(hours=2)  # shop time at 60x: 2 wall minutes after the speed-up
    view = {
        "ticket": {
            "buyer_name": "王小明",
            "messages": [
                {"id": 1, "author": "buyer", "kind": "message", "body": "在吗", "created_at": T0.isoformat()},
                {"id": 2, "author": "system", "kind": "auto_reply", "body": "亲，您好", "created_at": T0.isoformat()},
                {
                    "id": 3,
                    "author": "agent",
                    "kind": "message",
                    "agent_id": "a1",
                    "body": "在的",
                    "created_at": (T0 + timedelta(minutes=11)).isoformat(),
                },  # fmt: skip
                {
                    "id": 4,
                    "author": "agent",
                    "kind": "note",
                    "agent_id": "a1",
                    "body": "老客户",
                    "created_at": (T0 + timedelta(minutes=13)).isoformat(),
                },  # fmt: skip
            ],
        },
        "order": {
            "currency": "CNY",
            "placed_at": (T0 + timedelta(minutes=1)).isoformat(),
            "total": "59.00",
            "paid_at": paid_at.isoformat(),
            "paid": "59.00",
        },  # fmt: skip
        "payments": [
            {
                "result": "failed",
                "failure_reason": "insufficient_funds",
                "attempted_at": (T0 + timedelta(minutes=2)).isoformat(),
            }
        ],  # fmt: skip
    }
    entries = build(view, clocks, {"a1": "李明"})
    assert [e.kind for e in entries] == ["buyer", "auto", "business", "business", "agent", "business", "note"]
    placed, failed, paid = (e for e in entries if e.kind == "business")
    assert "¥59.00" in placed.text and not placed.clocks_differ  # at speed 1 the clocks agree: one time shown
    assert "余额不足" in failed.text and failed.tone == "bad"
    assert paid.wall == T0 + timedelta(minutes=12) and paid.clocks_differ and paid.tone == "good"
    assert entries[4].who == "李明" and entries[0].who == "王小明"


def test_reply_times_and_rates_as_people_read_them(app_context):
    assert duration(None) == "—" and percent(None) == "—"
    assert duration(4.6) == "5秒"
    assert duration(125) == "2分05秒" and duration(180) == "3分钟"
    assert duration(3600 * 24) == "24小时" and duration(3700) == "1小时01分"
    assert percent(0.8) == "80%" and percent(0.125) == "12.5%"


def test_a_rows_last_message_is_quoted_in_a_line():
    """Which message is a row's last, and since when its buyer waits, is the tickets service's (``queue_rows``); the
    gateway quotes it in one line and keeps a system event's code for the page's language."""
    said = {"author": "buyer", "kind": "message", "body": "在吗？  " * 40, "created_at": "t1", "code": None, "extra": 1}
    row = quoted_row({"id": "t1", "last_message": said})
    assert len(row["last_message"]["body"]) == 120 and row["last_message"]["body"].endswith("…")
    assert "extra" not in row["last_message"] and row["waiting_since"] is None
    event = quoted_row({"id": "t2", "last_message": {"author": "system", "kind": "event", "body": "order paid",
                                               "code": "order_paid", "params": {"amount": "1.00"}},
                  "waiting_since": "t0"})  # fmt: skip
    assert event["last_message"]["code"] == "order_paid" and event["waiting_since"] == "t0"
    assert quoted_row({"id": "t3"})["last_message"] is None


def test_chat_shops_are_the_domestic_marketplaces():
    assert is_chat_shop("taobao")
    assert not any(is_chat_shop(platform) for platform in ("aliexpress", "amazon", "ebay"))
