"""Fairness: the same scenario, seed and student actions give the same buyers' behaviour in every shop; a student who
acts differently meets different outcomes exactly where the rules say so."""

from __future__ import annotations

from collections import Counter

from simulator.rehearsal import StudentPolicy, rehearse
from simulator.scenario import shipped_scenarios

SCENARIOS = shipped_scenarios()


def normalised(rehearsal) -> tuple[list[tuple], list[tuple]]:
    """Buyer actions (scenario seconds, buyer, journey, action, details) and the shop's events (scenario seconds,
    what, buyer, details): no shop ids, no wall times, no generated ids."""
    return [record.as_tuple() for record in rehearsal.actions], list(rehearsal.shop.events)


def test_two_shops_of_a_class_see_the_same_buyers_do_the_same_things() -> None:
    scenario = SCENARIOS["payment_reminder_cuifu"]
    one = rehearse(scenario, "taobao", shop_id="shop-of-ana", until=12 * 3600)
    two = rehearse(scenario, "taobao", shop_id="shop-of-ben", until=12 * 3600)
    actions_one, events_one = normalised(one)
    actions_two, events_two = normalised(two)
    assert len(actions_one) > 80 and len(events_one) > 80
    assert actions_one == actions_two
    assert events_one == events_two
    kinds = Counter(action for _, _, _, action, _ in actions_one)
    assert kinds["order"] and kinds["forget"] and kinds["pay_failed"] and kinds["reminder_read"]


def test_after_sale_on_a_marketplace_is_as_repeatable() -> None:
    scenario = SCENARIOS["aftersale_marketplace"]
    one, two = (rehearse(scenario, "amazon", shop_id=shop, until=6 * 86400) for shop in ("s1", "s2"))
    assert normalised(one) == normalised(two)
    kinds = Counter(record.action for record in one.actions)
    assert kinds["delivery_seen"] and kinds["request_refund"] and kinds["review"] and kinds["injected"]


def test_another_seed_gives_another_day() -> None:
    scenario = SCENARIOS["payment_reminder_cuifu"]
    one = rehearse(scenario, "taobao", until=6 * 3600)
    other = rehearse(scenario, "taobao", until=6 * 3600, seed=scenario.seed + 1)
    assert normalised(one)[0] != normalised(other)[0]


def test_reminding_at_night_changes_the_payments_and_only_where_it_should() -> None:
    scenario = SCENARIOS["payment_reminder_cuifu"]
    day = rehearse(scenario, "taobao", until=12 * 3600)  # reminds 20 minutes after each order
    night = rehearse(scenario, "taobao", until=12 * 3600, policy=StudentPolicy(remind_at_local_hour=23))

    def reminded_payments(rehearsal) -> list[tuple]:
        return [
            r.as_tuple()[1:3] for r in rehearsal.actions if r.action == "pay" and dict(r.detail)["cause"] == "reminder"
        ]

    def reminders(rehearsal) -> dict[tuple, float]:
        return {
            (r.buyer, r.journey): dict(r.detail).get("hour") for r in rehearsal.actions if r.action == "reminder_read"
        }

    assert len(reminded_payments(day)) >= 2
    assert reminded_payments(night) == []  # a reminder at 23:00 in the buyer's time is never followed
    assert set(reminders(night).values()) == {0.0}
    # The same buyers were reminded, at another hour: those the day's reminders won back are among them.
    assert set(reminded_payments(day)) <= set(reminders(night))
    # What buyers did before any reminder is the same: arrivals, questions, orders, forgetting, failures.
    before = {"browse", "order", "forget", "pay_failed", "ask"}
    assert [r.as_tuple() for r in day.actions if r.action in before] == [
        r.as_tuple() for r in night.actions if r.action in before
    ]
