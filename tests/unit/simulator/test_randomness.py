"""Named random streams: the same name gives the same number everywhere, different names independent numbers."""

from __future__ import annotations

from collections import Counter

from simulator import randomness as rnd


def test_a_draw_is_a_pure_function_of_its_name() -> None:
    assert rnd.draw(7, "b0001", "forget", "j00001") == rnd.draw(7, "b0001", "forget", "j00001")
    # Pinned: a change in how streams are derived would change every class's buyers, so it must be deliberate.
    assert round(rnd.draw(7, "b0001", "forget", "j00001"), 12) == round(rnd.draw("7", "b0001", "forget", "j00001"), 12)
    assert rnd.draw(7, "b0001", "forget", "j00001") == 0.41323703575504644


def test_names_that_differ_anywhere_give_different_draws() -> None:
    base = rnd.draw(7, "b0001", "forget", "j00001")
    assert base != rnd.draw(8, "b0001", "forget", "j00001")
    assert base != rnd.draw(7, "b0002", "forget", "j00001")
    assert base != rnd.draw(7, "b0001", "fail", "j00001")
    assert base != rnd.draw(7, "b0001", "forget", "j00002")
    # parts are kept apart, so ("ab", "c") is not ("a", "bc")
    assert rnd.draw(1, "ab", "c") != rnd.draw(1, "a", "bc")


def test_draws_are_uniform_enough() -> None:
    draws = [rnd.draw(1, "uniform", i) for i in range(20000)]
    assert all(0 <= d < 1 for d in draws)
    deciles = Counter(int(d * 10) for d in draws)
    assert all(1850 < deciles[k] < 2150 for k in range(10))


def test_weighted_ignores_the_order_the_weights_were_written_in() -> None:
    one = {"rational": 0.6, "cautious": 0.3, "demanding": 0.1}
    two = {"demanding": 0.1, "rational": 0.6, "cautious": 0.3}
    assert [rnd.weighted(one, 3, i) for i in range(200)] == [rnd.weighted(two, 3, i) for i in range(200)]
    counts = Counter(rnd.weighted(one, 3, i) for i in range(10000))
    assert 5700 < counts["rational"] < 6300 and 700 < counts["demanding"] < 1300


def test_the_global_random_generator_is_not_touched() -> None:
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    rnd.draw(1, "x")
    rnd.stream(1, "y").random()
    assert random.random() == expected
