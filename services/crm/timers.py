"""The crm service's timers: its time rules, run for every open shop at that shop's now by the shared runner
(``shoplab.shops.timer_runner``); how often each ticks is in the topology table. Each has a cheap probe, so an
idle shop costs a read, not a turn at the write lock.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from services.crm import care_tasks, profiles, rfm_refresh
from services.crm.models import Customer, RfmState
from shoplab.shops.context import ShopContext
from shoplab.shops.timer_runner import ShopTimer

RULES_BATCH = 1000


def apply_time_rules(session: Session, ctx: ShopContext) -> int:
    """Customers whose rule tags may have changed with the clock alone (new → not new, dormant) are looked at."""
    due = session.scalars(
        select(Customer)
        .where(Customer.shop_id == ctx.id, Customer.rules_due_at <= ctx.shop_now)
        .order_by(Customer.rules_due_at)
        .limit(RULES_BATCH)
    ).all()
    for customer in due:
        profiles.apply_rules(session, ctx, customer)
    return len(due)


def time_rules_due(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(Customer.shop_id == ctx.id, Customer.rules_due_at <= ctx.shop_now)


def refresh_rfm(session: Session, ctx: ShopContext) -> int:
    """Compute the shop's RFM in full when purchases changed since, or a shop day has passed (recency grows)."""
    return rfm_refresh.refresh(session, ctx, trigger="timer", by=None).customers


def rfm_stale(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(
        RfmState.shop_id == ctx.id, or_(RfmState.dirty.is_(True), RfmState.refresh_at <= ctx.shop_now)
    )


TIMERS: dict[str, ShopTimer] = {
    "crm.announce_care": ShopTimer(care_tasks.announce_due, care_tasks.care_due),
    "crm.apply_time_rules": ShopTimer(apply_time_rules, time_rules_due),
    "crm.refresh_rfm": ShopTimer(refresh_rfm, rfm_stale),
}
