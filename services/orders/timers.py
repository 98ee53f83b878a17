"""The orders service's timers: each runs its rule for every open shop, at that shop's simulated now.

The rules themselves are plain functions of (session, shop, now) in their own modules; this runs them, one shop
and one transaction at a time, and only opens a write transaction when a cheap read found something to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from services.orders.models import Order, TrackingEvent
from services.orders.order_state import DELIVERED, UNPAID
from services.orders.ordering import cancel_expired, complete_delivered
from services.orders.reminders import ReminderPolicy, announce_due, announcement_pending
from services.orders.shipments import advance_timelines
from shoplab.plumbing.database import Database
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import ShopCopy

log = logging.getLogger(__name__)

Rule = Callable[[Session, ShopCopy, dict[str, Any], datetime], Any]


def expire_unpaid(session: Session, shop: ShopCopy, profile: dict[str, Any], now: datetime) -> list[str]:
    return cancel_expired(session, shop.id, now)


def remind_due(session: Session, shop: ShopCopy, profile: dict[str, Any], now: datetime) -> list[str]:
    return announce_due(session, shop.id, ReminderPolicy.of(profile), now)


def advance_tracking(session: Session, shop: ShopCopy, profile: dict[str, Any], now: datetime) -> int:
    return advance_timelines(session, shop.id, now)


def auto_complete(session: Session, shop: ShopCopy, profile: dict[str, Any], now: datetime) -> list[str]:
    return complete_delivered(session, shop.id, int(profile["orders"]["auto_complete_days"]), now)


# Cheap "is there anything to do?" probes, so an idle shop costs a read, not a write lock.
PROBES: dict[Rule, Callable[[str, dict[str, Any], datetime], Any]] = {
    expire_unpaid: lambda shop_id, profile, now: exists().where(
        Order.shop_id == shop_id, Order.state == UNPAID, Order.pay_by <= now
    ),
    remind_due: lambda shop_id, profile, now: announcement_pending(shop_id, ReminderPolicy.of(profile), now),
    advance_tracking: lambda shop_id, profile, now: exists().where(
        TrackingEvent.shop_id == shop_id, TrackingEvent.occurred_at.is_(None), TrackingEvent.due_at <= now
    ),
    auto_complete: lambda shop_id, profile, now: exists().where(
        Order.shop_id == shop_id,
        Order.state == DELIVERED,
        Order.delivered_at <= now - timedelta(days=int(profile["orders"]["auto_complete_days"])),
    ),
}


def run_for_every_shop(db: Database, rule: Rule) -> int:
    """Run ``rule`` for each open shop; a failing shop is logged and does not stop the others."""
    with db.reading() as session:
        shops = [shop for shop in session.scalars(select(ShopCopy).where(ShopCopy.name.is_not(None)))]
    done = 0
    for shop in shops:
        now = shop.clock.now()
        try:
            profile = load_profile(shop.platform)
            with db.reading() as session:
                if not session.scalar(select(PROBES[rule](shop.id, profile, now))):
                    continue
            with db.writing() as session:
                copy = session.get(ShopCopy, shop.id)
                now = copy.clock.now()
                result = rule(session, copy, load_profile(copy.platform), now)
                done += result if isinstance(result, int) else len(result)
        except Exception:
            log.exception("orders timer %s failed for shop %s", rule.__name__, shop.id)
    return done
