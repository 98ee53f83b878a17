"""Services' answers kept for a few seconds in this gateway process, for the parts of a screen that change rarely
and are asked on every refresh (a shop's response targets, its roster of agents, a past day's metrics): a screen
refreshed by every live event would otherwise ask them again each time. Bounded; the oldest go first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class RecentAnswers:
    def __init__(self, seconds: float, size: int = 5000) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, fetch: Callable[[], Any], keep: Callable[[Any], bool] = lambda _: True) -> Any:
        """The answer kept for ``key`` if it is recent, else ``fetch()`` (kept when ``keep`` says so)."""
        found = self.peek(key)
        if found is not None:
            return found
        value = fetch()
        if keep(value):
            self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        """The answer kept for ``key`` if it is recent, else None."""
        with self._lock:
            found = self._items.get(key)
        return found[1] if found is not None and time.monotonic() - found[0] < self.seconds else None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)
