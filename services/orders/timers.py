"""The orders service's timers: its time rules, run for every open shop at that shop's simulated now by the shared
runner (``shoplab.shops.timer_runner``); how often each ticks is in the topology table.

Each rule is a plain function of (session, shop context) in its own module; each probe is the cheap "is there
anything to do?" read of the same condition, so an idle shop costs a read, not a turn at the write lock.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, exists

from services.orders import ordering, reminders, tracking
from shoplab.shops.context import ShopContext
from shoplab.shops.timer_runner import Probe, ShopTimer


def any_row(condition: Callable[[ShopContext], ColumnElement[bool]]) -> Probe:
    """The probe "is there a row where ``condition``?" for a rule that works on those rows."""
    return lambda ctx: exists().where(condition(ctx))


TIMERS: dict[str, ShopTimer] = {
    "orders.expire_unpaid": ShopTimer(ordering.cancel_expired, any_row(ordering.expired_unpaid)),
    "orders.announce_reminders": ShopTimer(reminders.announce_due, reminders.announcement_pending),
    "orders.advance_tracking": ShopTimer(tracking.advance_timelines, any_row(tracking.checkpoints_due)),
    "orders.auto_complete": ShopTimer(ordering.complete_delivered, any_row(ordering.completion_due)),
}
