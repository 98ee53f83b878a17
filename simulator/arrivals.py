"""When buyers arrive: a Poisson process whose rate follows the scenario's order-rate curve.

The curve is piecewise linear between its points (journeys per shop hour; two points at one moment make a step) and
holds its last rate to the end. Arrival ``k`` comes at Λ⁻¹(E₁ + … + E_k), Λ the curve's integral and E_i exponential
draws named by the seed and i, and goes to a buyer drawn the same way: every shop of a class gets the same arrivals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulator import randomness as rnd


class RateCurve:
    def __init__(self, points: Sequence[tuple[int, float]], duration: int) -> None:
        pts = [(float(at), per_hour / 3600.0) for at, per_hour in points]
        if pts[-1][0] < duration:
            pts.append((float(duration), pts[-1][1]))
        self.points = pts
        self.duration = float(duration)

    def rate(self, t: float) -> float:
        """Arrivals per second at ``t`` (the later value at a step)."""
        for (a, ra), (b, rb) in zip(self.points, self.points[1:], strict=False):
            if a <= t < b:
                return ra + (rb - ra) * (t - a) / (b - a)
        return self.points[-1][1] if t <= self.duration else 0.0

    def advance(self, t: float, area: float) -> float | None:
        """The moment after ``t`` where the curve's integral has grown by ``area``; None if not before the end."""
        for (a, ra), (b, rb) in zip(self.points, self.points[1:], strict=False):
            if b <= t or b == a:
                continue
            start = max(a, t)
            r0 = ra + (rb - ra) * (start - a) / (b - a)
            slope = (rb - ra) / (b - a)
            span = b - start
            whole = r0 * span + slope * span * span / 2
            if whole >= area:
                return start + _solve(r0, slope, area)
            area -= whole
        return None


def _solve(r0: float, slope: float, area: float) -> float:
    """x ≥ 0 with r0·x + slope·x²/2 = area."""
    if abs(slope) < 1e-15:
        return area / r0
    root = math.sqrt(max(0.0, r0 * r0 + 2 * slope * area))
    return (root - r0) / slope


def next_arrival(curve: RateCurve, seed: int | str, index: int, after: float) -> float | None:
    """Seconds from the start of arrival ``index`` (1, 2, ...) given the previous one at ``after``."""
    gap = -math.log(1.0 - rnd.draw(seed, "arrival", index))
    return curve.advance(after, gap)


def arriving_buyer(seed: int | str, index: int, keys: Sequence[str]) -> str:
    return rnd.pick(keys, seed, "arrival_buyer", index)
