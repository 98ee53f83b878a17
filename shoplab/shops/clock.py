"""The shop's business calendar: a simulated clock that runs at a speed and can be paused.

A clock is four numbers; every service computes a shop's "now" locally from its copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any


def wall_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ShopClock:
    wall_anchor: datetime  # a moment on the wall clock...
    sim_anchor: datetime  # ...and the simulated time it corresponded to
    speed: float = 1.0  # simulated seconds per wall second
    paused: bool = False
    version: int = 1  # grows with every change, so an older copy never overwrites a newer one

    @classmethod
    def started(cls, at: datetime | None = None, speed: float = 1.0) -> ShopClock:
        at = at or wall_now()
        return cls(wall_anchor=at, sim_anchor=at, speed=speed)

    def now(self, at: datetime | None = None) -> datetime:
        if self.paused:
            return self.sim_anchor
        elapsed = (at or wall_now()) - self.wall_anchor
        return self.sim_anchor + elapsed * self.speed

    def changed(
        self,
        *,
        speed: float | None = None,
        paused: bool | None = None,
        advance: timedelta = timedelta(0),
        at: datetime | None = None,
    ) -> ShopClock:
        """Re-anchor at the current simulated time, then apply the change; the past never moves."""
        at = at or wall_now()
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive; pause the clock to stop it")
        if advance < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        return replace(
            self,
            wall_anchor=at,
            sim_anchor=self.now(at) + advance,
            speed=self.speed if speed is None else speed,
            paused=self.paused if paused is None else paused,
            version=self.version + 1,
        )

    def wall_time_of(self, sim_time: datetime, at: datetime | None = None) -> datetime | None:
        """When, on the wall clock, the shop reaches ``sim_time`` (None while paused and not yet there)."""
        at = at or wall_now()
        current = self.now(at)
        if sim_time <= current:
            return at
        if self.paused:
            return None
        return at + (sim_time - current) / self.speed

    def to_dict(self) -> dict[str, Any]:
        return {
            "wall_anchor": self.wall_anchor,
            "sim_anchor": self.sim_anchor,
            "speed": self.speed,
            "paused": self.paused,
            "version": self.version,
        }
