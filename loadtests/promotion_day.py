"""The promotion-day curve of users, free of locust (so tests read it without locust's monkey-patching): a quiet
evening, a tenfold step at midnight reached within one (compressed) minute, an exponential decay, then a daytime
wave, all compressed into ``length`` seconds (the phases keep their shares: evening 12.5 %, the step 1/24 of the run
— 10 s of 4 min —, the decay to a quarter of the run, the wave to the end)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PromotionDayCurve:
    base: int = 4  # users in the quiet evening; ten times as many at the peak
    length: float = 240.0  # seconds of the whole run

    @property
    def midnight(self) -> float:
        return self.length * 0.125

    @property
    def step(self) -> float:
        """The compressed "within one minute" of the step, and how long the peak holds."""
        return self.length / 24

    @property
    def spawn_rate(self) -> float:
        """Users a second: the step's nine-fold difference is spawned within half the step."""
        return max(1.0, 9 * self.base / max(self.step / 2, 1.0))

    def users_at(self, second: float) -> int | None:
        """Users wanted ``second`` seconds into the run; None once it is over."""
        peak = 10 * self.base
        decay_end = self.midnight + self.length / 4
        if second >= self.length:
            return None
        if second < self.midnight:
            return self.base
        if second < self.midnight + self.step:
            return peak
        if second < decay_end:
            half_life = self.length / 24
            return max(2 * self.base, round(peak * 0.5 ** ((second - self.midnight - self.step) / half_life)))
        phase = (second - decay_end) / (self.length - decay_end)
        return round(2 * self.base + 2 * self.base * math.sin(math.pi * phase))  # morning to noon and back
