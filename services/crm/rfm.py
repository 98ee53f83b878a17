"""RFM: recency, frequency and monetary value, scored 1-5 by quintiles within the shop, and mapped to segments.

The convention (the usual pandas one, docs/crm.md):

- recency = whole days from the customer's last purchase to the reference moment ``as_of`` (never below 0);
  frequency = purchases; monetary = money spent (net of refunds), over live and imported purchases alike;
- scores by quintiles: ``pd.qcut(recency, 5, labels=[5, 4, 3, 2, 1])``, ``pd.qcut(frequency.rank(method="first"),
  5, labels=[1, 2, 3, 4, 5])`` and ``pd.qcut(monetary, 5, labels=[1, 2, 3, 4, 5])`` over the customers with a
  purchase: quintile edges by linear interpolation (numpy's default), bins closed on the right, the lowest value
  in the first bin;
- ties: frequency is ranked first (ties broken by customer id, the order pandas' groupby yields); recency and
  monetary keep their ties together, so a tie sitting on an edge goes to the lower bin; where two edges coincide
  (pandas would refuse), the bin between them stays empty.

This module holds the arithmetic (plain Python); ``rfm_sql.py`` runs it in the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SEGMENTS_FILE = Path(__file__).resolve().parent / "rfm_segments.yaml"
QUINTILES = (1, 2, 3, 4)  # the inner edges; 0 and 5 are the minimum and the maximum, which bound nothing


@dataclass(frozen=True)
class Segment:
    code: str
    name: str
    name_zh: str
    advice: str
    r: tuple[int, int]
    f: tuple[int, int]


@cache
def segments() -> tuple[Segment, ...]:
    raw = yaml.safe_load(SEGMENTS_FILE.read_text(encoding="utf-8"))
    found = tuple(
        Segment(item["segment"], item["name"], item["name_zh"], item["advice"], tuple(item["r"]), tuple(item["f"]))
        for item in raw
    )
    cells = [(r, f) for s in found for r in range(s.r[0], s.r[1] + 1) for f in range(s.f[0], s.f[1] + 1)]
    if sorted(cells) != [(r, f) for r in range(1, 6) for f in range(1, 6)]:
        raise ValueError(f"{SEGMENTS_FILE.name}: the segments must cover each of the 25 (r, f) cells exactly once")
    return found


def segment_of(r: int | None, f: int | None) -> str | None:
    if r is None or f is None:
        return None
    for segment in segments():
        if segment.r[0] <= r <= segment.r[1] and segment.f[0] <= f <= segment.f[1]:
            return segment.code
    raise AssertionError("unreachable: the map covers every cell")


def edge_positions(n: int) -> dict[int, tuple[int, float]]:
    """For ``n`` sorted values, where each inner quintile edge falls: k -> (lower index, weight of the next one).

    Written float operation for float operation as pandas and numpy do it (``qcut`` asks ``np.quantile`` for
    ``linspace(0, 1, 6)``, i.e. ``k × 0.2``; the linear method places it at index ``(n − 1) × q``), so an edge
    lands exactly where pandas puts it, to the last bit."""
    positions = {}
    for k in QUINTILES:
        index = (n - 1) * (k * 0.2)
        lower = math.floor(index)
        positions[k] = (lower, index - lower)
    return positions


def interpolate(low: float, high: float, weight: float) -> float:
    """numpy's linear interpolation between two neighbours (``_lerp``), written as numpy writes it."""
    diff = high - low
    return high - diff * (1 - weight) if weight >= 0.5 else low + diff * weight


def edges_of(sorted_values: dict[int, float], n: int) -> list[float]:
    """The inner quintile edges, given the sorted values at the indexes :func:`edge_positions` asks for."""
    edges = []
    for lower, weight in edge_positions(n).values():
        low = sorted_values[lower]
        edges.append(interpolate(low, sorted_values.get(lower + 1, low), weight))
    return edges


def needed_indexes(n: int) -> set[int]:
    return {index for lower, _ in edge_positions(n).values() for index in (lower, min(lower + 1, n - 1))}


def bin_of(value: float, edges: list[float]) -> int:
    """1-5: one more than the number of inner edges the value lies above (bins closed on the right)."""
    return 1 + sum(1 for edge in edges if value > edge)


def rank_edges(n: int) -> list[float]:
    """The inner edges of ``qcut(rank, 5)`` for ranks 1..n: the value at index i is i + 1, no data needed."""
    return edges_of({index: float(index + 1) for index in needed_indexes(n)}, n)


def scores(recency_days: int, frequency_rank: float, monetary: int, edges: dict[str, Any]) -> tuple[int, int, int]:
    """R, F and M of one customer against a computation's edges (recency reversed: recent is 5)."""
    return (
        6 - bin_of(recency_days, edges["recency"]),
        bin_of(frequency_rank, edges["frequency_rank"]),
        bin_of(monetary, edges["monetary"]),
    )
