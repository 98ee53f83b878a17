"""One shop's buyers acting out a scenario: the scheduling core.

``tick(shop_now)`` reads what the shop did since the last tick (the port's observations) and runs every buyer step
due by ``shop_now``, merged in the order of the shop's clock: a step due before an observation runs before it, so a
buyer whose patience ran out at 10:03 has nudged before they read the reply of 10:04, whenever the tick came. Steps
due at one moment run in buyer and journey order. Decisions read the facts the shop recorded (a reply's wait, a
reminder's moment), never when the simulator noticed them; a tick's lag only delays when a buyer's request reaches the
shop. With the same seed, scenario and student actions, two shops give the same records
(``tests/unit/simulator/test_determinism.py``).

Phase 2 ticks at least once a wall second, a little behind the clock (a ``settle`` margin), so that the observations of
the last moments have arrived before the steps due then run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from simulator.arrivals import RateCurve
from simulator.behaviour import REACTIONS, STEPS, WORLD_STEPS
from simulator.behaviour.presale import plan_next_arrival
from simulator.buyer_world import WORLD, ActionRecord, BuyerWorld
from simulator.journey import Journey
from simulator.population import shared_population
from simulator.port import Observation, ShopPort
from simulator.scenario import Scenario

_KIND_ORDER = {kind: number for number, kind in enumerate(REACTIONS)}


def _observation_order(obs: Observation) -> tuple[Any, ...]:
    return (
        obs.at,
        obs.wall_at,
        _KIND_ORDER.get(obs.kind, 99),
        obs.buyer,
        obs.ref or "",
        obs.order_id or "",
        obs.conversation_id or "",
    )


class ShopSimulation:
    def __init__(
        self,
        *,
        shop_id: str,
        scenario: Scenario,
        profile: Mapping[str, Any],
        port: ShopPort,
        start: datetime,
        seed: int | None = None,
    ) -> None:
        seed = scenario.seed if seed is None else seed
        personas = shared_population(seed, profile, scenario.population_spec())
        self.world = BuyerWorld(
            shop_id=shop_id,
            seed=seed,
            scenario=scenario,
            profile=profile,
            port=port,
            start=start,
            personas={persona.key: persona for persona in personas},
            speed=scenario.clock_speed,
        )
        self.world.curve = RateCurve(scenario.order_rate, scenario.duration)
        self.end = start + timedelta(seconds=scenario.duration)
        self.cursor: str | None = None
        self.unmatched = 0
        plan_next_arrival(self.world, 1, start)
        for index, injection in enumerate(scenario.injections):
            self.world.plan_world("inject", start + timedelta(seconds=injection.at), f"injection{index}", index=index)

    def tick(self, shop_now: datetime, speed: float | None = None) -> list[ActionRecord]:
        """Observe, then run what is due by ``shop_now``; the records of this tick."""
        world = self.world
        if speed is not None:
            world.speed = speed
        first = len(world.log)
        observations, self.cursor = world.port.observe(self.cursor)
        for obs in sorted(observations, key=_observation_order):
            self._run_until(obs.at)
            self._react(obs)
        self._run_until(shop_now)
        return world.log[first:]

    def _run_until(self, until: datetime) -> None:
        agenda, world = self.world.agenda, self.world
        while (item := agenda.pop_due(min(until, self.end))) is not None:
            if item.buyer == WORLD:
                WORLD_STEPS[item.step](world, item)
                continue
            journey = world.journeys.get(item.journey)
            if journey is not None:
                STEPS[item.step](world, journey, item)

    def _react(self, obs: Observation) -> None:
        reaction = REACTIONS.get(obs.kind)
        if reaction is None:
            self.unmatched += 1
            return
        handle, index, field = reaction
        journey = self._care_journey(obs) if index == "buyer" else self.world.find(index, getattr(obs, field))
        if journey is None or journey.buyer != obs.buyer:
            self.unmatched += 1  # not one of our buyers' things (an instructor acting as a buyer, say)
            return
        handle(self.world, journey, obs)

    def _care_journey(self, obs: Observation) -> Journey | None:
        world = self.world
        if obs.buyer not in world.personas:
            return None
        key = f"care-{obs.buyer}"
        return world.journeys.get(key) or world.open_journey(key, obs.buyer, obs.at, mode="care")

    def next_due(self) -> datetime | None:
        return self.world.agenda.next_due()
