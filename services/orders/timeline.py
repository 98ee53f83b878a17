"""A parcel's tracking timeline, planned when it ships and unfolding on the shop's simulated clock.

Pure and seeded by the parcel (carrier and tracking number): the same parcel always tells the same story, so a
scenario replayed with the same tracking numbers unfolds the same way. A parcel meets
an exception with the profile's ``orders.tracking.exception_rate`` (kinds weighted by ``exception_kinds``):
delay, customs_hold and address_problem push the rest of the timeline back by ``delay_hours``; damaged happens
just before delivery; lost and returned_to_sender end the timeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

EXCEPTION_KINDS = ("delay", "customs_hold", "lost", "damaged", "address_problem", "returned_to_sender")
DELAYING = frozenset({"delay", "customs_hold", "address_problem"})
TERMINAL = frozenset({"lost", "returned_to_sender"})

TEXT = {
    "picked_up": ("Picked up by the carrier", "快递员已揽收"),
    "departed_origin": ("Departed the origin facility", "已离开始发地分拨中心"),
    "export_customs": ("Export customs cleared", "出口清关完成"),
    "in_transit": ("In transit", "运输中"),
    "import_customs": ("Import customs cleared", "进口清关完成"),
    "arrived_destination": ("Arrived at the destination facility", "已到达目的地分拨中心"),
    "out_for_delivery": ("Out for delivery", "派送中"),
    "delivered": ("Delivered", "已签收"),
    "delay": ("Delayed in the carrier's network", "物流延误"),
    "customs_hold": ("Held by customs for inspection", "海关查验扣留"),
    "lost": ("Parcel lost by the carrier", "包裹丢失"),
    "damaged": ("Parcel damaged in transit", "包裹运输途中破损"),
    "address_problem": ("Delivery failed: address problem", "地址有误 派送失败"),
    "returned_to_sender": ("Returned to sender", "已退回寄件人"),
}

# (status, share of the transit time when it happens); customs steps only across a border
CROSS_BORDER = [
    ("picked_up", 0.02), ("departed_origin", 0.08), ("export_customs", 0.15), ("in_transit", 0.35),
    ("import_customs", 0.65), ("arrived_destination", 0.8), ("out_for_delivery", 0.95), ("delivered", 1.0),
]  # fmt: skip
DOMESTIC = [
    ("picked_up", 0.05), ("departed_origin", 0.2), ("in_transit", 0.5), ("arrived_destination", 0.75),
    ("out_for_delivery", 0.9), ("delivered", 1.0),
]  # fmt: skip


@dataclass(frozen=True)
class Step:
    kind: str  # checkpoint | exception
    status: str
    location: str
    detail: str
    due_at: datetime


def describe(status: str) -> str:
    english, chinese = TEXT.get(status, (status, status))
    return f"{english} {chinese}"


def plan(
    *,
    seed: str,
    shipped_at: datetime,
    cross_border: bool,
    days_min: int,
    days_max: int,
    origin: str,
    destination: str,
    tracking: dict[str, Any],
) -> list[Step]:
    rng = random.Random(seed)
    transit = timedelta(days=rng.uniform(days_min, max(days_min, days_max)))
    route = CROSS_BORDER if cross_border else DOMESTIC
    steps = [
        Step(
            "checkpoint", status, origin if share < 0.3 else destination, describe(status), shipped_at + transit * share
        )
        for status, share in route
    ]
    if rng.random() >= float(tracking.get("exception_rate", 0)):
        return steps
    kinds = {k: w for k, w in (tracking.get("exception_kinds") or {}).items() if cross_border or k != "customs_hold"}
    if not kinds:
        return steps
    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    return with_exception(steps, kind, rng, timedelta(hours=float(tracking.get("delay_hours", 48))))


def with_exception(steps: list[Step], kind: str, rng: random.Random, delay: timedelta) -> list[Step]:
    if kind == "damaged":
        at = len(steps) - 1  # found at delivery
    elif kind == "customs_hold":
        at = next((i for i, s in enumerate(steps) if s.status == "import_customs"), len(steps) // 2)
    else:
        at = rng.randrange(1, len(steps) - 1)  # after pick-up, before delivery
    before = steps[at - 1]
    happens = before.due_at + (steps[at].due_at - before.due_at) / 2
    exception = Step("exception", kind, steps[at].location, describe(kind), happens)
    if kind in TERMINAL:
        return [*steps[:at], exception]
    shift = delay if kind in DELAYING else timedelta(0)
    later = [Step(s.kind, s.status, s.location, s.detail, s.due_at + shift) for s in steps[at:]]
    return [*steps[:at], exception, *later]
