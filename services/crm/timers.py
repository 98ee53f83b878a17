"""The crm service's timers (name → ``ShopTimer``, run by ``shoplab.shops.timer_runner``): none yet; each one
added here is also given its interval in the service's entry of ``shoplab/topology.py``."""

from __future__ import annotations

from shoplab.shops.timer_runner import ShopTimer

TIMERS: dict[str, ShopTimer] = {}
