"""The tickets service's timers, run for every open shop at that shop's simulated now by the shared runner
(``shoplab.shops.timer_runner``); how often each ticks is in the topology table."""

from __future__ import annotations

from services.tickets.disputes import escalate_due
from services.tickets.sla import detect_breaches
from shoplab.shops.timer_runner import ShopTimer

TIMERS: dict[str, ShopTimer] = {
    "tickets.check_sla": ShopTimer(detect_breaches),
    "tickets.escalate_disputes": ShopTimer(escalate_due),
}
