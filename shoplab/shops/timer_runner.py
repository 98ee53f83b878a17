"""The one way timers run in every service: a rule for every open shop, at that shop's now, each shop in its own
transaction.

A service declares its timers in its ``timers.py`` (name → :class:`ShopTimer`), the topology table says how often
each ticks, and the worker runs them through :func:`run_timer`. Why one transaction per shop: a shop whose rule
fails (bad data, a bug that only its scenario reaches) is logged, rolled back and tried again on the next tick,
while every other shop's timers go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sized
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from shoplab.shops.clock import wall_now as read_wall_clock
from shoplab.shops.context import ShopContext
from shoplab.shops.replica import ShopCopy, get_shops

log = logging.getLogger(__name__)

# Shops probed in one SELECT, one column each (well below SQLite's 2,000 columns and its expression depth)
PROBE_BATCH = 100

Rule = Callable[[Session, ShopContext], int | Sized | None]
Probe = Callable[[ShopContext], ColumnElement[bool]]


@dataclass(frozen=True)
class ShopTimer:
    """``rule(session, ctx)`` does the work of one shop and returns what it did (a count, or the things done).

    ``due(ctx)``, when given, is a cheap SQL condition ("is there anything to do?") read before the write
    transaction, so an idle shop costs one read instead of a turn at the write lock."""

    rule: Rule
    due: Probe | None = None


@dataclass
class TimerRun:
    done: int = 0
    shops: int = 0
    failed: list[str] = field(default_factory=list)


def _count(result: Any) -> int:
    if result is None:
        return 0
    return result if isinstance(result, int) else len(result)


def run_timer(db: Any, name: str, timer: ShopTimer, *, wall_now: datetime | None = None) -> TimerRun:
    """One tick of ``timer`` over every open shop. ``db`` is the service's :class:`~shoplab.plumbing.database.
    Database`; ``wall_now`` is for tests (the shops' nows follow from it)."""
    run = TimerRun()
    with db.reading() as session:
        shop_ids = set(session.scalars(select(ShopCopy.id).where(ShopCopy.name.is_not(None))))
        run.shops = len(shop_ids)
        if timer.due is not None:
            shop_ids = _due_shops(session, name, timer.due, get_shops(session, shop_ids), wall_now, run)
    for shop_id in sorted(shop_ids):
        try:
            with db.writing() as session:
                shop = get_shops(session, {shop_id})[shop_id]
                # the clock as it stands inside the transaction (a clock change may have committed meanwhile)
                ctx = ShopContext.of(shop, wall_now or read_wall_clock())
                run.done += _count(timer.rule(session, ctx))
        except Exception:
            run.failed.append(shop_id)
            log.exception("timer %s failed for shop %s; the others go on, it is tried next tick", name, shop_id)
    return run


def _due_shops(
    session: Session, name: str, due: Probe, shops: dict[str, ShopCopy], wall_now: datetime | None, run: TimerRun
) -> set[str]:
    """The shops with something to do, asked in one SELECT per :data:`PROBE_BATCH` shops (each probe a column).

    A read transaction and two queries per shop made an idle tick cost seconds once a few hundred shops were open
    (1-6 s for 300 shops under load, measured): the crm worker's three timers then took most of its time, and the
    ticks queued in front of its events (``test_redis_restart.py``: a shop's event waited behind 22 ticks)."""
    found: set[str] = set()
    ordered = sorted(shops.values(), key=lambda shop: shop.id)
    for start in range(0, len(ordered), PROBE_BATCH):
        batch = ordered[start : start + PROBE_BATCH]
        try:
            with session.begin_nested():
                probes = [due(ShopContext.of(shop, wall_now)).label(f"due_{i}") for i, shop in enumerate(batch)]
                answers = session.execute(select(*probes)).one()
        except Exception:  # one shop's probe fails: look at them one by one, so the others go on
            answers = [_probe_one(session, name, due, shop, wall_now, run) for shop in batch]
        found.update(shop.id for shop, is_due in zip(batch, answers, strict=True) if is_due)
    return found


def _probe_one(
    session: Session, name: str, due: Probe, shop: ShopCopy, wall_now: datetime | None, run: TimerRun
) -> bool:
    try:
        with session.begin_nested():
            return bool(session.scalar(select(due(ShopContext.of(shop, wall_now)))))
    except Exception:
        run.failed.append(shop.id)
        log.exception("timer %s failed for shop %s; the others go on, it is tried next tick", name, shop.id)
        return False
