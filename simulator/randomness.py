"""Named random streams: every random decision of a buyer draws from its own stream, derived from the scenario's
seed and the decision's name, never from wall time, arrival order or Python's global ``random``.

A stream is a pure function of its name: ``draw(seed, "b0007", "forget_to_pay", "j12")`` is the same number in every
shop, every process and every run. Decisions that depend on what the shop did keep their stream's name free of those
facts (it names the buyer, the journey and the decision only) and let the facts move the threshold instead: two
students whose buyer "b0007" meets the same draw are compared on the same luck, and a better reminder can only make
that buyer more likely to pay (common random numbers).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_SCALE = float(1 << 64)


def _digest(seed: int | str, parts: tuple[object, ...]) -> bytes:
    name = "\x1f".join([str(seed), *(str(part) for part in parts)])
    return hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()


def draw(seed: int | str, *parts: object) -> float:
    """One uniform number in [0, 1) named by the seed and the parts."""
    return int.from_bytes(_digest(seed, parts)[:8], "big") / _SCALE


def stream(seed: int | str, *parts: object) -> random.Random:
    """A private generator for a decision that needs several numbers (a persona, a text with its slots)."""
    return random.Random(int.from_bytes(_digest(seed, parts), "big"))


def chance(probability: float, seed: int | str, *parts: object) -> bool:
    return draw(seed, *parts) < probability


def between(low: float, high: float, seed: int | str, *parts: object) -> float:
    return low + (high - low) * draw(seed, *parts)


def pick(options: Sequence[T], seed: int | str, *parts: object) -> T:
    if not options:
        raise ValueError("nothing to pick from")
    return options[int(draw(seed, *parts) * len(options))]


def weighted(weights: dict[str, float], seed: int | str, *parts: object) -> str:
    """One key of ``weights``, in proportion to its weight; keys are taken in sorted order so the result does not
    depend on how the mapping was built."""
    total = sum(weight for weight in weights.values() if weight > 0)
    if total <= 0:
        raise ValueError("no positive weight to pick from")
    point = draw(seed, *parts) * total
    for key in sorted(weights):
        weight = weights[key]
        if weight <= 0:
            continue
        if point < weight:
            return key
        point -= weight
    return max(key for key in sorted(weights) if weights[key] > 0)
