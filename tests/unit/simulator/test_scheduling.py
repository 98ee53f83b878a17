"""The scheduling core: arrivals from the order-rate curve, the agenda's order, YAML with its lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator.agenda import Agenda, AgendaItem
from simulator.arrivals import RateCurve, arriving_buyer, next_arrival
from simulator.yaml_lines import load_located


def arrivals(curve: RateCurve, seed: int) -> list[float]:
    times, t, index = [], 0.0, 1
    while (t := next_arrival(curve, seed, index, t)) is not None:
        times.append(t)
        index += 1
    return times


def test_the_number_of_arrivals_follows_the_curve() -> None:
    curve = RateCurve([(0, 20), (1800, 20), (1860, 200), (9000, 60)], 36000)
    expected = 20 * 0.5 + (20 + 200) / 2 / 60 + (200 + 60) / 2 * 7140 / 3600 + 60 * 27000 / 3600
    counts = [len(arrivals(curve, seed)) for seed in range(5)]
    assert all(abs(count - expected) < 4 * expected**0.5 for count in counts), (counts, expected)
    assert abs(sum(counts) / 5 - expected) < 2 * (expected / 5) ** 0.5


def test_a_step_multiplies_the_arrivals_at_once() -> None:
    curve = RateCurve([(0, 20), (1800, 20), (1860, 200)], 3600)
    times = [t for seed in range(20) for t in arrivals(curve, seed)]
    before = sum(1 for t in times if 1200 <= t < 1800)
    after = sum(1 for t in times if 2400 <= t < 3000)
    assert 7 < after / before < 14


def test_arrivals_are_the_same_for_every_shop_and_stop_at_the_end() -> None:
    curve = RateCurve([(0, 30)], 3600)
    assert arrivals(curve, 3) == arrivals(RateCurve([(0, 30)], 3600), 3)
    assert arrivals(curve, 3) != arrivals(curve, 4)
    assert all(t <= 3600 for t in arrivals(curve, 3))
    assert RateCurve([(0, 0)], 3600).advance(0, 0.1) is None
    keys = [f"b{i:04d}" for i in range(1, 41)]
    assert [arriving_buyer(3, i, keys) for i in range(50)] == [arriving_buyer(3, i, keys) for i in range(50)]


def test_items_due_together_run_in_buyer_and_journey_order_not_insertion_order() -> None:
    t = datetime(2026, 11, 2, tzinfo=UTC)
    items = [
        AgendaItem(t, "b0002", "j00001", 1, "pay"),
        AgendaItem(t, "b0001", "j00003", 2, "ask"),
        AgendaItem(t, "b0001", "j00003", 1, "start"),
        AgendaItem(t - timedelta(seconds=1), "b0009", "j00009", 1, "order"),
        AgendaItem(t + timedelta(seconds=1), "", "arrival3", 1, "arrive"),
    ]
    orders = []
    for permutation in (items, list(reversed(items)), items[2:] + items[:2]):
        agenda = Agenda()
        for item in permutation:
            agenda.add(item)
        popped = []
        while (item := agenda.pop_due(t)) is not None:
            popped.append((item.buyer, item.step))
        orders.append(popped)
        assert agenda.next_due() == t + timedelta(seconds=1)
    assert (
        orders[0]
        == orders[1]
        == orders[2]
        == [("b0009", "order"), ("b0001", "start"), ("b0001", "ask"), ("b0002", "pay")]
    )


def test_yaml_keeps_the_line_of_every_key_and_item() -> None:
    located = load_located("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n  - x: 3\n")
    assert located.data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}, {"x": 3}]}
    assert located.lines[("b", 1, "x")] == 5 and located.lines[("b", 0, "y")] == 4
    assert located.line_of(("b", 0, "missing")) == 3  # a missing key: the line of its mapping
