"""The orders service's timers: its time rules, run for every open shop at that shop's simulated now by the shared
runner (``shoplab.shops.timer_runner``); how often each ticks is in the topology table.

Each rule is a plain function of (session, shop context) in its own module; the probes are cheap "is there anything
to do?" reads, so an idle shop costs a read, not a turn at the write lock.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import Session

from services.orders.models import Order, TrackingEvent
from services.orders.order_state import DELIVERED, UNPAID
from services.orders.ordering import cancel_expired, complete_delivered
from services.orders.reminders import ReminderPolicy, announce_due, announcement_pending
from services.orders.shipments import advance_timelines
from shoplab.shops.context import ShopContext
from shoplab.shops.timer_runner import ShopTimer


def _auto_complete_after(ctx: ShopContext) -> timedelta:
    return timedelta(days=int(ctx.profile["orders"]["auto_complete_days"]))


def expire_unpaid(session: Session, ctx: ShopContext) -> list[str]:
    """Cancel unpaid orders past their pay-by time and release their stock."""
    return cancel_expired(session, ctx.id, ctx.shop_now)


def unpaid_expired(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(Order.shop_id == ctx.id, Order.state == UNPAID, Order.pay_by <= ctx.shop_now)


def announce_reminders(session: Session, ctx: ShopContext) -> list[str]:
    """Publish payment.reminder_due for orders that became remindable."""
    return announce_due(session, ctx.id, ReminderPolicy.of(ctx.profile), ctx.shop_now)


def reminders_pending(ctx: ShopContext) -> ColumnElement[bool]:
    return announcement_pending(ctx.id, ReminderPolicy.of(ctx.profile), ctx.shop_now)


def advance_tracking(session: Session, ctx: ShopContext) -> int:
    """Let tracking timelines reach the shop's now: checkpoints, exceptions, deliveries."""
    return advance_timelines(session, ctx.id, ctx.shop_now)


def checkpoints_due(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(
        TrackingEvent.shop_id == ctx.id, TrackingEvent.occurred_at.is_(None), TrackingEvent.due_at <= ctx.shop_now
    )


def auto_complete(session: Session, ctx: ShopContext) -> list[str]:
    """Complete delivered orders whose confirmation window has passed."""
    return complete_delivered(session, ctx.id, int(ctx.profile["orders"]["auto_complete_days"]), ctx.shop_now)


def completion_due(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(
        Order.shop_id == ctx.id,
        Order.state == DELIVERED,
        Order.delivered_at <= ctx.shop_now - _auto_complete_after(ctx),
    )


TIMERS: dict[str, ShopTimer] = {
    "orders.expire_unpaid": ShopTimer(expire_unpaid, unpaid_expired),
    "orders.announce_reminders": ShopTimer(announce_reminders, reminders_pending),
    "orders.advance_tracking": ShopTimer(advance_tracking, checkpoints_due),
    "orders.auto_complete": ShopTimer(auto_complete, completion_due),
}
