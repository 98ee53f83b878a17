"""The shop's simulated clock: speed, pause, re-anchoring, and when the wall clock reaches a simulated time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shoplab.shops.clock import ShopClock

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)


def test_a_started_clock_reads_the_wall_clock_at_its_speed():
    clock = ShopClock.started(T0, speed=60)
    assert clock.now(T0) == T0
    assert clock.now(T0 + timedelta(seconds=10)) == T0 + timedelta(minutes=10)
    assert ShopClock.started(T0).now(T0 + timedelta(hours=1)) == T0 + timedelta(hours=1)


def test_a_paused_clock_stands_still_and_resumes_where_it_stopped():
    clock = ShopClock.started(T0, speed=60)
    paused = clock.changed(paused=True, at=T0 + timedelta(seconds=10))
    assert paused.now(T0 + timedelta(hours=5)) == T0 + timedelta(minutes=10)
    resumed = paused.changed(paused=False, at=T0 + timedelta(hours=5))
    assert resumed.now(T0 + timedelta(hours=5, seconds=1)) == T0 + timedelta(minutes=11)


def test_a_change_reanchors_so_the_past_never_moves_and_the_version_grows():
    clock = ShopClock.started(T0, speed=1)
    at = T0 + timedelta(hours=2)
    faster = clock.changed(speed=3600, at=at)
    assert faster.now(at) == clock.now(at)  # no jump at the moment of the change
    assert faster.now(at + timedelta(seconds=1)) == at + timedelta(hours=1)
    assert faster.version == clock.version + 1
    jumped = faster.changed(advance=timedelta(days=5), at=at)
    assert jumped.now(at) == at + timedelta(days=5)
    assert jumped.speed == 3600 and jumped.version == clock.version + 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"speed": 0}, "speed must be positive"), ({"speed": -2}, "speed"), ({"advance": timedelta(seconds=-1)}, "back")],
)
def test_a_clock_refuses_to_stop_by_speed_or_go_backwards(change, reason):
    with pytest.raises(ValueError, match=reason):
        ShopClock.started(T0).changed(at=T0, **change)


def test_when_the_wall_clock_reaches_a_simulated_time():
    clock = ShopClock.started(T0, speed=60)
    now = T0 + timedelta(seconds=30)  # simulated: T0 + 30 min
    assert clock.wall_time_of(T0 + timedelta(minutes=90), at=now) == now + timedelta(minutes=1)
    assert clock.wall_time_of(T0, at=now) == now  # already past: due now
    paused = clock.changed(paused=True, at=now)
    assert paused.wall_time_of(T0 + timedelta(days=1), at=now) is None  # never, while paused
    assert paused.wall_time_of(T0 + timedelta(minutes=1), at=now) == now


def test_to_dict_carries_the_four_numbers_and_the_version():
    clock = ShopClock.started(T0, speed=2).changed(paused=True, at=T0 + timedelta(seconds=5))
    assert clock.to_dict() == {
        "wall_anchor": T0 + timedelta(seconds=5),
        "sim_anchor": T0 + timedelta(seconds=10),
        "speed": 2,
        "paused": True,
        "version": 2,
    }
