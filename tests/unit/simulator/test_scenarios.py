"""Scenario files: the shipped ones load, and a bad one is refused with each problem's line and reason."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.scenario import SCENARIO_DIR, ScenarioError, parse_scenario, shipped_scenarios
from simulator.scenario_schema import INJECTION_KINDS

GOOD = (SCENARIO_DIR / "presale_cross_border_en.yaml").read_text(encoding="utf-8")


def refused(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "bad.yaml")
    return [(problem.line, problem.path, problem.reason) for problem in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_course_exercises_ship_as_scenarios() -> None:
    scenarios = shipped_scenarios()
    assert set(scenarios) >= {
        "presale_cross_border_en",  # pre-sale practice on AliExpress and eBay (English)
        "taobao_inquiry_conversion",  # auto first reply and inquiry conversion (Taobao)
        "payment_reminder_cuifu",  # 催付 role play
        "aftersale_marketplace",  # after-sale on Amazon and eBay
        "bad_review_recovery",  # 中差评
        "crm_care_week",  # holiday greetings
        "double11_promotion_day",  # 11.11
        "demo_living_queue",  # the demo class of `make run`
    }
    assert set(scenarios["presale_cross_border_en"].platforms) == {"aliexpress", "ebay"}
    assert set(scenarios["aftersale_marketplace"].platforms) == {"amazon", "ebay"}
    assert scenarios["presale_cross_border_en"].buyers["languages"] == ["en"]
    for scenario in scenarios.values():
        assert scenario.kpis and scenario.learning_goal and scenario.learning_goal_zh
    used = {injection.kind for scenario in scenarios.values() for injection in scenario.injections}
    assert used == set(INJECTION_KINDS)


def test_what_a_scenario_holds() -> None:
    scenario = shipped_scenarios()["double11_promotion_day"]
    assert scenario.duration == 3 * 3600 and scenario.clock_speed == 2
    assert scenario.start.date == date(2026, 11, 10) and scenario.start.time_of_day == "23:30"
    assert scenario.order_rate[1:3] == ((1800, 16.0), (1860, 160.0))  # the tenfold step within a minute
    assert scenario.injections[0].kind == "presale_flood" and scenario.injections[0].params["count"] == 20
    assert scenario.kpis[0].metric == "tickets.response_rate_within" and scenario.kpis[0].within == 180
    assert scenario.level("ask") == 0.4 and scenario.level("rate") == 0.5  # the default where it says nothing


def test_an_unknown_key_is_refused_with_its_line() -> None:
    text = GOOD.replace("clock_speed: 1\n", "clock_speed: 1\ncolour: blue\n")
    assert refused(text) == [(line_of(text, "colour:"), "colour", "Unknown field.")]


def test_an_unknown_key_deep_inside_is_refused_with_its_line() -> None:
    text = GOOD.replace("  count: 60\n", "  count: 60\n  mood: happy\n")
    assert refused(text) == [(line_of(text, "mood:"), "buyers.mood", "Unknown field.")]


def test_impossible_values_are_each_refused_with_line_and_reason() -> None:
    text = (
        GOOD.replace("clock_speed: 1", "clock_speed: -2")
        .replace("count: 60", "count: 0")
        .replace("rational: 0.7", "rational: 0.9")
        .replace("- {at: 85m, per_hour: 0}", "- {at: 95m, per_hour: 0}")
        .replace("  fail: 0.02", "  fail: 1.5")
        .replace("  forget: 0.05", "  forgot: 0.05")
        .replace("{at: 40m, kind: presale_flood", "{at: 2h, kind: presale_flood")
        .replace("kind: angry_message", "kind: angry_mesage")
        .replace("metric: tickets.inquiry_conversion", "metric: tickets.conversion")
    )
    problems = refused(text)
    assert [(line, path) for line, path, _ in problems] == [
        (line_of(text, "clock_speed"), "clock_speed"),
        (line_of(text, "count: 0"), "buyers.count"),
        (line_of(text, "temperaments"), "buyers.temperaments"),
        (line_of(text, "at: 95m"), "order_rate.3.at"),
        (line_of(text, "forgot"), "behaviour.forgot"),
        (line_of(text, "fail: 1.5"), "behaviour.fail"),
        (line_of(text, "at: 2h"), "injections.0.at"),
        (line_of(text, "angry_mesage"), "injections.1.kind"),
        (line_of(text, "tickets.conversion"), "kpis.2.metric"),
    ]
    reasons = {path: reason for _, path, reason in problems}
    assert reasons["buyers.temperaments"] == "the shares add up to 1.2, not 1"
    assert reasons["order_rate.3.at"] == "after the scenario's end"
    assert reasons["behaviour.fail"] == "a probability is between 0 and 1"
    assert reasons["behaviour.forgot"].startswith("unknown behaviour; known: ")
    assert reasons["kpis.2.metric"].startswith("unknown metric; known: ")


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (("platforms: [aliexpress, ebay]", "platforms: [aliexpress, wish]"), "platforms", "unknown platform 'wish'"),
        (("duration: 90m", "duration: 90 minutes"), "duration", "not a duration"),
        (("duration: 90m", "duration: 0m"), "duration", "a scenario lasts at least a minute"),
        (
            ("{at: 65m, kind: angry_message", "{at: 65m, kind: angry_message, reason: quality"),
            "injections.1.reason",
            "not a parameter of angry_message",
        ),
        (
            ("{at: 40m, kind: presale_flood, count: 8", "{at: 40m, kind: presale_flood"),
            "injections.0.count",
            "a flood needs its count",
        ),
        (("- {at: 0m, per_hour: 24}", "- {at: 5m, per_hour: 24}"), "order_rate.0.at", "the curve must start at 0"),
        (
            ("- {at: 75m, per_hour: 24}", "- {at: 20m, per_hour: 24}"),
            "order_rate.2.at",
            "earlier than the point before it",
        ),
        (('within: 180, target: ">= 0.9"', "within: 180, target: high"), "kpis.1.target", "write a target as"),
        (('within: 180, target: ">= 0.9"', 'within: 0, target: ">= 0.9"'), "kpis.1.within", "greater than or equal"),
        (
            ("metric: tickets.satisfaction,", "metric: tickets.satisfaction, within: 60,"),
            "kpis.3.within",
            "takes no 'within'",
        ),
    ],
)
def test_each_impossible_value(change, path, reason) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    problems = refused(text)
    assert any(p == path or p.startswith(path) for _, p, _ in problems), problems
    assert any(reason in r for _, p, r in problems if p.startswith(path))


def test_a_duplicate_key_and_broken_yaml_name_their_lines() -> None:
    text = GOOD.replace("  fail: 0.02\n", "  fail: 0.02\n  fail: 0.03\n")
    first, second = line_of(text, "fail: 0.02"), line_of(text, "fail: 0.03")
    assert refused(text) == [(second, "", f"duplicate key 'fail' (first on line {first})")]
    broken = GOOD.replace("title: Pre-sale", "title: [Pre-sale")
    line, path, reason = refused(broken)[0]
    assert reason.startswith("not valid YAML") and line >= line_of(broken, "title: [")


def test_a_time_of_day_must_be_quoted() -> None:
    # YAML 1.1 reads 19:00 as the number 1140 (base 60): the loader says what to write
    text = GOOD.replace("clock_speed: 1\n", "clock_speed: 1\nstart: {time_of_day: 19:00, timezone: Asia/Shanghai}\n")
    assert refused(text) == [(line_of(text, "start:"), "start.time_of_day", "Not a valid string.")]
    zone = GOOD.replace("clock_speed: 1\n", 'clock_speed: 1\nstart: {time_of_day: "19:00", timezone: Mars/Base}\n')
    assert refused(zone) == [(line_of(zone, "start:"), "start.timezone", "unknown time zone 'Mars/Base'")]


def test_a_file_that_is_not_a_mapping() -> None:
    assert refused("- a\n- b\n") == [(1, "", "a scenario is a mapping of keys")]
