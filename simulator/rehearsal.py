"""A rehearsal: a scenario played against the in-memory shop, with a scripted student at the desk.

Used by the determinism test, the planning benchmark, and by a scenario's author to see what it does before a class
meets it (``python -m simulator.rehearsal <scenario> <platform>``). The scripted student is deterministic and
configurable (how fast and how well they answer, when they remind), so two runs differ only where it is told to.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shoplab.shops.profiles import load_profile
from simulator.buyer_world import ActionRecord
from simulator.engine import ShopSimulation
from simulator.memory_desk import MemoryDesk
from simulator.memory_shop import MemoryShop
from simulator.reference_data import data
from simulator.scenario import Scenario, load_scenario, shipped_scenarios

DEFAULT_START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 01:00 in London


@dataclass
class StudentPolicy:
    reply_after_seconds: float = 60.0  # people's time from the buyer's message to the answer
    good_replies: bool = True  # greeting, name, facts, apology, solution with a time, closing; else a curt answer
    remind_after_minutes: float | None = 20.0  # shop time after the order (None: never remind)
    remind_at_local_hour: int | None = None  # wait for this hour in the buyer's time zone (a night reminder: 23)
    ship_after_hours: float = 6.0
    decide_refunds_after_hours: float | None = 4.0  # None: never decide
    approve_refunds: bool = True
    contact_bad_reviews: bool = True
    propose: str = "full_refund"


@dataclass
class StudentDesk:
    """A scripted student acting on the in-memory shop at each step."""

    shop: MemoryShop
    policy: StudentPolicy
    texts: Mapping[str, Any] = field(default_factory=lambda: data("student_phrases"))

    def __post_init__(self) -> None:
        self.desk = MemoryDesk(self.shop)
        self.reminded: set[str] = set()

    def act(self) -> None:
        shop, policy = self.shop, self.policy
        for conversation in self.desk.unanswered():
            if (shop.wall - conversation.waiting_since_wall).total_seconds() >= policy.reply_after_seconds:
                self.desk.reply(
                    conversation.id, self._reply(conversation.buyer, conversation.kind, conversation.order_id)
                )
                if conversation.kind != "pre_sale":
                    self.desk.resolve(conversation.id)
        for order in self.desk.orders("unpaid"):
            if order.id not in self.reminded and self._time_to_remind(order):
                self.reminded.add(order.id)
                self.desk.remind(order.id, self._phrase(order.buyer, "reminder", order.id))
        for order in self.desk.orders("paid"):
            if shop.now - order.placed_at >= timedelta(hours=policy.ship_after_hours):
                carrier = shop.profile["carriers"][0]
                self.desk.ship(
                    order.id, carrier, f"{carrier[:2].upper()}{order.number[-10:]}", promised_days=5, takes_days=4
                )
        self._after_sale()

    def _after_sale(self) -> None:
        policy = self.policy
        if policy.decide_refunds_after_hours is not None:
            for refund_id, refund in self.desk.requested_refunds():
                self.desk.decide_refund(
                    refund_id, policy.approve_refunds, self._phrase(refund["buyer"], "refund_note", refund["order"])
                )
        for refund_id, _refund in self.desk.returns_shipped_back():
            self.desk.receive_return(refund_id)
        for dispute_id, dispute in self.desk.disputes_awaiting():
            if dispute["status"] == "awaiting_seller":
                self.desk.propose(
                    dispute_id,
                    policy.propose,
                    dispute["amount"],
                    self._phrase(dispute["buyer"], "after_sale", dispute["order"]),
                )
        if policy.contact_bad_reviews:
            for review_id, review in self.desk.bad_reviews():
                self.desk.contact_review(review_id, self._phrase(review["buyer"], "review_contact", review["order"]))

    def _time_to_remind(self, order: Any) -> bool:
        policy = self.policy
        if policy.remind_after_minutes is None:
            return False
        if self.shop.now - order.placed_at < timedelta(minutes=policy.remind_after_minutes):
            return False
        if policy.remind_at_local_hour is None:
            return True
        zone = ZoneInfo(self.shop.customers[order.buyer]["timezone"])
        return self.shop.now.astimezone(zone).hour == policy.remind_at_local_hour

    def _reply(self, buyer: str, kind: str, order_id: str | None) -> str:
        return self._phrase(buyer, "pre_sale" if kind == "pre_sale" else "after_sale", order_id)

    def _phrase(self, buyer: str, purpose: str, order_id: str | None) -> str:
        customer = self.shop.customers[buyer]
        language = customer["language"] if customer["language"] in self.texts else "en"
        phrases = self.texts[language]["good" if self.policy.good_replies else "poor"]
        order = self.shop.orders.get(order_id or "")
        product = next((p for p in self.shop.products if order and p.skus[0] == order.lines[0].sku), None)
        help_text = phrases.get("failure", {}).get(order.failure_reason, "") if order and order.failure_reason else ""
        return phrases[purpose].format(
            name=customer["name"],
            order_no=order.number if order else "",
            product=(product.title_zh if language == "zh" else product.title) if product else "",
            help=help_text,
        )


@dataclass
class Rehearsal:
    simulation: ShopSimulation
    shop: MemoryShop
    student: StudentDesk
    engine_seconds: float = 0.0  # wall time spent in the simulation's ticks (the buyers' planning and acting)
    engine_cpu_seconds: float = 0.0  # the process's CPU time in them (fairer on a busy machine)
    ticks: int = 0

    @property
    def actions(self) -> list[ActionRecord]:
        return self.simulation.world.log


def rehearse(
    scenario: Scenario,
    platform: str,
    *,
    policy: StudentPolicy | None = None,
    seed: int | None = None,
    step_seconds: float | None = None,
    start: datetime = DEFAULT_START,
    until: int | None = None,
    shop_id: str = "shop",
) -> Rehearsal:
    """Play ``scenario`` on an in-memory shop of ``platform`` whose clock reads ``start`` (the scenario begins at
    its own ``start`` moment from there), stepping the clocks by ``step_seconds`` of shop time (default: 10 wall
    seconds' worth), for the scenario's duration or ``until`` seconds."""
    profile = load_profile(platform)
    start = scenario.start_at(start)
    shop = MemoryShop(platform, profile, start)
    student = StudentDesk(shop, policy or StudentPolicy())
    simulation = ShopSimulation(shop_id=shop_id, scenario=scenario, profile=profile, port=shop, start=start, seed=seed)
    step = timedelta(seconds=step_seconds or 10 * scenario.clock_speed)
    end = start + timedelta(seconds=until if until is not None else scenario.duration)
    now = start
    result = Rehearsal(simulation, shop, student)
    while now <= end:
        shop.set_clock(now, start + (now - start) / scenario.clock_speed)
        shop.advance()
        student.act()
        began, began_cpu = time.perf_counter(), time.process_time()
        simulation.tick(now)
        result.engine_seconds += time.perf_counter() - began
        result.engine_cpu_seconds += time.process_time() - began_cpu
        result.ticks += 1
        now += step
    return result


def main() -> None:  # pragma: no cover - a tool for scenario authors
    parser = argparse.ArgumentParser(description="Play a scenario against an in-memory shop with a scripted student.")
    parser.add_argument("scenario", help="a shipped scenario's name or a path to a scenario file")
    parser.add_argument("platform")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    shipped = shipped_scenarios()
    scenario = shipped[args.scenario] if args.scenario in shipped else load_scenario(args.scenario)
    result = rehearse(scenario, args.platform, seed=args.seed)
    for action, count in sorted(Counter(record.action for record in result.actions).items()):
        print(f"{action:28} {count}")


if __name__ == "__main__":  # pragma: no cover
    main()
