"""The scheduling core: what every buyer of a shop will do next, in the order of the shop's clock.

An item is due at a moment of shop time. Items due at the same moment run in an order fixed by what they are (buyer,
journey, the journey's own count), never by when they were planned, so a shop that noticed two things in another
order still runs its buyers the same way.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, order=True)
class AgendaItem:
    due: datetime
    buyer: str
    journey: str
    seq: int
    step: str = field(compare=False)
    payload: Mapping[str, Any] = field(default_factory=dict, compare=False)


class Agenda:
    def __init__(self) -> None:
        self._heap: list[AgendaItem] = []

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, item: AgendaItem) -> None:
        heapq.heappush(self._heap, item)

    def next_due(self) -> datetime | None:
        return self._heap[0].due if self._heap else None

    def pop_due(self, until: datetime) -> AgendaItem | None:
        """The earliest item due at or before ``until``, or None."""
        if self._heap and self._heap[0].due <= until:
            return heapq.heappop(self._heap)
        return None
