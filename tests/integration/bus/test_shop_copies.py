"""Events arrive in any order: a clock change before its ``shop.opened`` is kept, and an older clock arriving late
never overwrites a newer one (clocks carry a version). Through a real worker, each message in its own turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.envelope import make_event
from shoplab.shops.clock import ShopClock
from tests.integration.bus.subscribers import inbox_rows, start_probes, wait_handled

SHOP = "late-open"
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def clock_changed(clock: ShopClock) -> dict:
    payload = {"shop_id": SHOP, "clock": clock.to_dict()}
    return make_event("shop.clock_changed", shop_id=SHOP, source="gateway", payload=payload).to_message()


def shop_opened(clock: ShopClock) -> dict:
    payload = {"shop_id": SHOP, "name": "Opened late 迟到的店", "platform": "taobao", "currency": "CNY",
               "clock": clock.to_dict()}  # fmt: skip
    return make_event("shop.opened", shop_id=SHOP, source="gateway", payload=payload).to_message()


def deliver_in_turn(stack, *messages: dict) -> None:
    for message in messages:
        QueueSender()("crm", message)
        wait_handled(stack, ["crm"], message["id"])


def test_a_clock_change_before_the_shop_opened_and_an_older_clock_arriving_late(stack):
    start_probes(stack, ["crm"])
    first = ShopClock.started(OPENED)  # version 1
    faster = first.changed(speed=60.0, at=OPENED + timedelta(minutes=5))  # version 2
    paused = faster.changed(paused=True, at=OPENED + timedelta(minutes=6))  # version 3
    crm = stack.client("crm")

    deliver_in_turn(stack, clock_changed(faster))
    assert crm.get(f"/shops/{SHOP}").status_code == 404  # only its clock is known: not open yet

    deliver_in_turn(stack, shop_opened(first))  # the opening, with the shop's first clock, comes after
    copy = crm.get(f"/shops/{SHOP}").get_json()
    assert copy["name"] == "Opened late 迟到的店" and copy["currency"] == "CNY"
    assert (copy["clock"]["version"], copy["clock"]["speed"]) == (2, 60.0)  # the newer clock stays

    deliver_in_turn(stack, clock_changed(paused), clock_changed(first))  # version 1 again, very late
    clock = crm.get(f"/shops/{SHOP}").get_json()["clock"]
    assert (clock["version"], clock["paused"], clock["speed"]) == (3, True, 60.0)
    assert inbox_rows(stack, "crm") == 4  # each handled once, the late ones too (they just change nothing)
