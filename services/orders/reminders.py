"""Payment reminders (催付): when an unpaid order may be reminded, sending one, noting its result, and the
timer rule that announces newly remindable orders to the service queue.

The profile's ``reminders`` section sets the rules: at most ``max_per_order`` reminders, not before
``min_minutes_after_order`` after the order, at least ``min_minutes_between`` apart, never in the buyer's local
``quiet_hours`` [start, end), on one of ``channels``, and only while the order can still be paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session

from services.orders.models import Order, Reminder, new_id
from services.orders.order_state import UNPAID, load_order, order_ref, require_state
from shoplab.contracts.money import wire
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

OUTCOMES = (
    "will_pay", "paid", "payment_problem", "price_concern", "shipping_concern", "changed_mind", "no_reply", "other",
)  # fmt: skip


@dataclass(frozen=True)
class ReminderPolicy:
    max_per_order: int
    min_after_order: timedelta
    min_between: timedelta
    quiet_start: int
    quiet_end: int
    channels: tuple[str, ...]

    @classmethod
    def of(cls, profile: dict[str, Any]) -> ReminderPolicy:
        rules = profile["reminders"]
        quiet = rules.get("quiet_hours") or [0, 0]
        return cls(
            max_per_order=int(rules["max_per_order"]),
            min_after_order=timedelta(minutes=rules["min_minutes_after_order"]),
            min_between=timedelta(minutes=rules["min_minutes_between"]),
            quiet_start=int(quiet[0]),
            quiet_end=int(quiet[1]),
            channels=tuple(rules["channels"]),
        )

    def is_quiet(self, local: datetime) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start > self.quiet_end:  # across midnight, e.g. 22 → 8
            return local.hour >= self.quiet_start or local.hour < self.quiet_end
        return self.quiet_start <= local.hour < self.quiet_end

    def quiet_ends(self, local: datetime) -> datetime:
        end = local.replace(hour=self.quiet_end, minute=0, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)


@dataclass(frozen=True)
class Window:
    allowed: bool
    reason: str | None = None  # why not, when not
    next_at: datetime | None = None  # when it may be reminded, if ever


def reminder_window(order: Order, policy: ReminderPolicy, now: datetime) -> Window:
    """May this order be reminded at ``now`` (shop time)? A pure rule: the order's fields, the policy, now."""
    if order.state != UNPAID:
        return Window(False, f"order_{order.state}")
    if now >= order.pay_due_at:
        return Window(False, "payment_window_closed")
    if order.reminder_count >= policy.max_per_order:
        return Window(False, "limit_reached")
    earliest = order.placed_at + policy.min_after_order
    if order.last_reminded_at is not None:
        earliest = max(earliest, order.last_reminded_at + policy.min_between)
    if now < earliest:
        reason = "too_soon_after_order" if order.last_reminded_at is None else "too_soon_after_last_reminder"
        return Window(False, reason, _not_quiet(policy, order, earliest))
    local = now.astimezone(ZoneInfo(order.buyer_timezone))
    if policy.is_quiet(local):
        return Window(False, "buyer_quiet_hours", policy.quiet_ends(local))
    return Window(True)


def _not_quiet(policy: ReminderPolicy, order: Order, at: datetime) -> datetime:
    local = at.astimezone(ZoneInfo(order.buyer_timezone))
    return policy.quiet_ends(local) if policy.is_quiet(local) else at


def _candidates(ctx: ShopContext, policy: ReminderPolicy) -> Select[tuple[Order]]:
    """Unpaid orders past the time rules, in SQL; the buyer's local quiet hours are checked per row after."""
    now = ctx.shop_now
    return (
        select(Order)
        .where(
            Order.shop_id == ctx.id,
            Order.state == UNPAID,
            Order.pay_due_at > now,
            Order.placed_at <= now - policy.min_after_order,
            Order.reminder_count < policy.max_per_order,
            or_(Order.last_reminded_at.is_(None), Order.last_reminded_at <= now - policy.min_between),
        )
        .order_by(Order.pay_due_at)
    )


def _not_announced() -> ColumnElement[bool]:
    """Not yet announced in the order's current reminder round."""
    return or_(Order.reminder_due_round.is_(None), Order.reminder_due_round < Order.reminder_count)


def announcement_pending(ctx: ShopContext) -> ColumnElement[bool]:
    """The SQL test the timer probes with before taking the write lock: an order past the time rules that has not
    been announced in its current round."""
    return exists(_candidates(ctx, ReminderPolicy.of(ctx.profile)).where(_not_announced()))


def due_reminders(session: Session, ctx: ShopContext, limit: int) -> list[Order]:
    """Unpaid orders that may be reminded now, the ones closest to their pay-by time first."""
    policy = ReminderPolicy.of(ctx.profile)
    due = []
    for order in session.scalars(_candidates(ctx, policy).limit(limit * 4)):
        if reminder_window(order, policy, ctx.shop_now).allowed:
            due.append(order)
            if len(due) == limit:
                break
    return due


def send_reminder(
    session: Session, ctx: ShopContext, order_id: str, *, channel: str, text: str, sent_by: str, note: str
) -> Reminder:
    """A reminder sent now, when the profile's rules allow it (a 409 says why not, and from when)."""
    shop_id, now, policy = ctx.id, ctx.shop_now, ReminderPolicy.of(ctx.profile)
    if channel not in policy.channels:
        raise InvalidInput(
            f"{channel!r} is not a reminder channel here", {"channel": [f"one of {', '.join(policy.channels)}"]}
        )
    order = load_order(session, shop_id, order_id, lock=True)
    require_state(order, "remind")
    window = reminder_window(order, policy, now)
    if not window.allowed:
        raise Conflict(
            f"this order may not be reminded now: {window.reason}",
            {"order_id": [window.reason]},
            current_state=order.state,
            reason=window.reason,
            next_allowed_at=window.next_at.isoformat() if window.next_at else None,
        )
    reminder = Reminder(
        id=new_id(),
        shop_id=shop_id,
        order_id=order.id,
        channel=channel,
        text=text,
        sent_by=sent_by,
        sent_at=now,
        note=note or None,
    )
    session.add(reminder)
    order.reminder_count += 1
    order.first_reminded_at = order.first_reminded_at or now
    order.last_reminded_at = now
    publish(
        session,
        "payment.reminder_sent",
        shop_id=shop_id,
        payload={
            **order_ref(order),
            "reminder_id": reminder.id,
            "channel": channel,
            "sent_by": sent_by,
            "note": note,
            "sent_at": now,
        },
    )
    return reminder


def note_reminder(
    session: Session, ctx: ShopContext, order_id: str, reminder_id: str, *, outcome: str, note: str, noted_by: str
) -> Reminder:
    """The result note (备注): why the buyer did not pay, and what came of the reminder. May be rewritten."""
    shop_id, now = ctx.id, ctx.shop_now
    order = load_order(session, shop_id, order_id)
    reminder = session.scalar(
        select(Reminder).where(Reminder.shop_id == shop_id, Reminder.order_id == order.id, Reminder.id == reminder_id)
    )
    if reminder is None:
        raise NotFound(f"no reminder {reminder_id} on order {order_id}", {"reminder_id": ["unknown reminder"]})
    reminder.outcome = outcome
    reminder.note = note
    reminder.noted_by = noted_by
    reminder.noted_at = now
    publish(
        session,
        "payment.reminder_noted",
        shop_id=shop_id,
        payload={
            **order_ref(order),
            "reminder_id": reminder.id,
            "outcome": outcome,
            "note": note,
            "noted_by": noted_by,
            "noted_at": now,
        },
    )
    return reminder


def announce_due(session: Session, ctx: ShopContext) -> list[str]:
    """Timer rule: publish ``payment.reminder_due`` once per reminder round for each order that became remindable,
    so the service queue can open a payment-reminder task."""
    policy = ReminderPolicy.of(ctx.profile)
    announced = []
    stmt = _candidates(ctx, policy).where(_not_announced())  # the same test as announcement_pending
    for order in session.scalars(stmt.limit(500).with_for_update(skip_locked=True)):
        if not reminder_window(order, policy, ctx.shop_now).allowed:
            continue
        announce(session, ctx, order)
        announced.append(order.id)
    return announced


def announce(session: Session, ctx: ShopContext, order: Order) -> None:
    """``payment.reminder_due`` for the order's current reminder round (once: the round is marked announced)."""
    order.reminder_due_round = order.reminder_count
    publish(
        session,
        "payment.reminder_due",
        shop_id=ctx.id,
        payload={
            **order_ref(order),
            "amount": wire(order.total_cents),
            "currency": order.currency,
            "pay_by": order.pay_due_at,
            "failure_reason": order.payment_failure,
        },
    )
