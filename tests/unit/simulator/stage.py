"""A stage for behaviour tests: one in-memory shop, its buyers, and the test as the student."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shoplab.shops.profiles import load_profile
from simulator.engine import ShopSimulation
from simulator.journey import Journey
from simulator.memory_desk import MemoryDesk
from simulator.memory_shop import MemoryShop
from tests.unit.simulator.conftest import T0, scenario


class Stage:
    def __init__(self, platform: str = "taobao", **changes: Any) -> None:
        changes.setdefault("platforms", [platform])
        self.scenario = scenario(**changes)
        self.profile = load_profile(platform)
        self.shop = MemoryShop(platform, self.profile, T0)
        self.desk = MemoryDesk(self.shop)
        self.sim = ShopSimulation(shop_id="s1", scenario=self.scenario, profile=self.profile, port=self.shop, start=T0)
        self.now = T0

    @property
    def world(self):
        return self.sim.world

    def journey(self, buyer: str = "b0001", mode: str = "browse", key: str = "j00001") -> Journey:
        journey = self.world.open_journey(key, buyer, self.now, mode=mode)
        self.world.plan(journey, "start", self.now)
        return journey

    def run(self, seconds: float, step: float = 10.0) -> None:
        """Move both clocks (speed: the scenario's) by ``seconds`` of shop time, ticking every ``step``."""
        end = self.now + timedelta(seconds=seconds)
        while self.now < end:
            self.now = min(end, self.now + timedelta(seconds=step))
            self.shop.set_clock(self.now, T0 + (self.now - T0) / self.scenario.clock_speed)
            self.shop.advance()
            self.sim.tick(self.now)

    def actions(self, buyer: str | None = None) -> list[str]:
        return [record.action for record in self.world.log if buyer in (None, record.buyer)]

    def record(self, action: str):
        return next(record for record in self.world.log if record.action == action)

    def waiting(self):
        return self.desk.unanswered()
