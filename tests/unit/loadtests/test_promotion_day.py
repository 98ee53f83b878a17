"""The promotion-day shape: a tenfold step at midnight within its compressed minute, a decay, a daytime wave, an end."""

from __future__ import annotations

from loadtests.promotion_day import PromotionDayCurve


def test_the_curve_steps_tenfold_at_midnight_decays_waves_and_ends():
    curve = PromotionDayCurve(base=4, length=240)
    users = [curve.users_at(second) for second in range(240)]
    assert users[:30] == [4] * 30  # the quiet evening
    assert users[30] == 40 and curve.step <= 60  # midnight: ten times as many, held for the compressed minute
    assert curve.spawn_rate * curve.step >= 36  # the difference is spawned within the step
    decay = users[int(curve.midnight + curve.step) : 90]
    assert decay == sorted(decay, reverse=True) and decay[10] < 40 and decay[-1] == 8
    wave = users[90:]
    assert max(wave) == 16 and wave[0] == 8 and wave[-1] <= 9  # morning to noon and back
    assert curve.users_at(240) is None


def test_the_curve_scales_with_its_length():
    short = PromotionDayCurve(base=2, length=24)
    assert short.users_at(0) == 2 and short.users_at(short.midnight) == 20 and short.users_at(24) is None
