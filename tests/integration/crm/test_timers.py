"""crm's timers on each shop's clock: care tasks in the customer's local hours (follow-up, holiday greeting,
win-back), rule tags that time alone changes, and the RFM refresh; each announced once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from tests.integration.crm.conftest import deliver, open_shop, order_ref, paid, placed, published
from tests.timers import tick


def at_shop(shop_start: datetime, wall_start: datetime, shop_moment: datetime) -> datetime:
    """The wall moment at which a speed-1 shop opened at ``shop_start`` reads ``shop_moment``."""
    return wall_start + (shop_moment - shop_start)


def test_follow_up_greeting_and_win_back_in_local_hours(stack):
    # the shop's calendar: 2026-09-20 09:00 UTC (17:00 in Shanghai)
    shop_start = datetime(2026, 9, 20, 9, 0, tzinfo=UTC)
    wall_start = datetime.now(UTC)
    shop = open_shop(stack, shop_now=shop_start, wall=wall_start)
    db = stack.runtime("crm").db
    deliver(stack, "order.placed", shop, placed("o1", "c1", "88.00", shop_start, name="李雷"))
    deliver(stack, "order.paid", shop, paid("o1", "c1", "88.00", shop_start))
    delivered = shop_start + timedelta(hours=5)  # 22:00 in Shanghai
    deliver(stack, "order.delivered", shop, {**order_ref("o1", "c1"), "shipment_id": "s1", "delivered_at": delivered})

    def tick_at(moment: datetime) -> int:
        return tick(db, "crm.announce_care", at_shop(shop_start, wall_start, moment))

    # 2026-09-24 12:00 UTC is 20:00 in Shanghai: nothing, the follow-up waits for 10:00 the next morning
    assert tick_at(datetime(2026, 9, 24, 12, 0, tzinfo=UTC)) == 0
    # Mid-Autumn Festival 2026-09-25: greeting from 10:00 Shanghai (02:00 UTC), and the follow-up (3 days after
    # delivery at 22:00 → 10:00 on the 24th ... the 25th here, since the 24th's window had closed)
    assert tick_at(datetime(2026, 9, 25, 2, 30, tzinfo=UTC)) == 2
    assert tick_at(datetime(2026, 9, 25, 3, 0, tzinfo=UTC)) == 0  # once each
    tasks = {e["kind"]: e for e in published(stack, "care.task_due")}
    assert set(tasks) == {"follow_up", "holiday_greeting"}
    greeting = tasks["holiday_greeting"]
    assert (greeting["language"], greeting["customer_name"], greeting["timezone"]) == ("zh", "李雷", "Asia/Shanghai")
    assert (
        greeting["placeholders"]["holiday"] == "中秋节"
        and "李雷" in greeting["body"]
        and "中秋节快乐" in greeting["body"]
    )
    assert greeting["local_time"].startswith("2026-09-25T10:30") and greeting["expires_at"]
    follow_up = tasks["follow_up"]
    assert follow_up["order_no"] == "NO-o1" and "NO-o1" in follow_up["body"] and "{" not in follow_up["body"]
    # 90 days without a purchase: one win-back, in local hours
    assert tick_at(datetime(2026, 12, 19, 14, 0, tzinfo=UTC)) == 0  # 22:00 in Shanghai
    assert tick_at(datetime(2026, 12, 20, 2, 0, tzinfo=UTC)) == 1
    assert tick_at(datetime(2026, 12, 21, 2, 0, tzinfo=UTC)) == 0
    kinds = [e["kind"] for e in published(stack, "care.task_due")]
    assert kinds.count("win_back") == 1 and kinds.count("holiday_greeting") == 1
    listed = stack.client("crm").get(f"/shops/{shop}/care-tasks", query_string={"kind": "win_back"}).get_json()
    assert len(listed) == 1 and listed[0]["customer_id"] == "c1"


def test_time_changes_rule_tags_and_the_rfm_refresh_follows(stack):
    shop_start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    wall_start = datetime.now(UTC)
    shop = open_shop(stack, shop_now=shop_start, wall=wall_start)
    db = stack.runtime("crm").db
    deliver(stack, "order.placed", shop, placed("o1", "c1", "10.00", shop_start))
    deliver(stack, "order.paid", shop, paid("o1", "c1", "10.00", shop_start))
    client = stack.client("crm")
    assert {t["tag"] for t in client.get(f"/shops/{shop}/customers/c1").get_json()["tags"]} == {"new"}

    def tick_at(name: str, days: float) -> int:
        return tick(db, name, at_shop(shop_start, wall_start, shop_start + timedelta(days=days)))

    assert tick_at("crm.refresh_rfm", 0.01) == 1  # dirty after the purchase: computed in full
    assert tick_at("crm.refresh_rfm", 0.02) == 0  # nothing changed, and not a day yet
    assert tick_at("crm.apply_time_rules", 29) == 0
    assert tick_at("crm.apply_time_rules", 30.01) == 1  # no longer new
    assert client.get(f"/shops/{shop}/customers/c1").get_json()["tags"] == []
    assert tick_at("crm.apply_time_rules", 90.01) == 1  # dormant
    assert [t["tag"] for t in client.get(f"/shops/{shop}/customers/c1").get_json()["tags"]] == ["dormant"]
    assert tick_at("crm.refresh_rfm", 1.5) == 1  # a shop day later: recency moved
    untagged = [(e["tag"], e["by"]) for e in published(stack, "customer.untagged")]
    assert untagged == [("new", "rule:new")]
    assert len(published(stack, "customer.segments_refreshed")) == 2


def test_an_idle_tick_asks_the_database_a_few_times_not_once_per_shop(stack):
    """With a few hundred shops open, a read transaction per shop made each idle crm tick cost seconds, and the
    ticks queued in front of the worker's events (found by ``test_redis_restart.py``)."""
    for _ in range(150):  # more than one batch of probes
        open_shop(stack)
    db = stack.runtime("crm").db
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert tick(db, "crm.announce_care") == 0
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # the shops' ids, the shops, then per 100 shops one SELECT of their probes inside a savepoint; 301 before
    assert len(statements) <= 2 + 2 * 3, statements[:10]
