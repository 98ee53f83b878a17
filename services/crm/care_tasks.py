"""Care tasks (客户关怀): holiday greetings, follow-ups after delivery, win-backs of dormant customers.

The ``crm.announce_care`` timer runs :func:`announce_due` for each shop at its now: it takes what fell due (the
customers' ``greeting_due_at`` / ``win_back_due_at``, the purchases' ``follow_up_due_at``), writes one task per
occasion (unique key: the holiday, the order, the dormant spell) with its message rendered from the profile's
template in the customer's language, and publishes ``care.task_due``, complete enough for the tickets service to
open a queue item without asking crm. A moment that comes while the customer sleeps waits for their morning.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from services.crm import care_schedule
from services.crm.crm_profile import crm_settings
from services.crm.models import CareTask, Customer, Purchase
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

BATCH = 200  # per source and tick: a shop with thousands due is served over a few ticks, in short transactions
FALLBACK_NAME = {"zh": "亲", "en": "valued customer"}
FALLBACK_GRADE = {"zh": "会员", "en": "member"}


def care_due(ctx: ShopContext) -> ColumnElement[bool]:
    """The timer's cheap probe: is anything due in this shop?"""
    return or_(
        exists().where(Customer.shop_id == ctx.id, Customer.greeting_due_at <= ctx.shop_now),
        exists().where(Customer.shop_id == ctx.id, Customer.win_back_due_at <= ctx.shop_now),
        exists().where(Purchase.shop_id == ctx.id, Purchase.follow_up_due_at <= ctx.shop_now),
    )


def announce_due(session: Session, ctx: ShopContext) -> list[str]:
    """Announce what is due now; returns the new tasks' ids."""
    care = crm_settings(ctx.profile).care
    announced = _follow_ups(session, ctx, care)
    announced += _greetings(session, ctx, care)
    announced += _win_backs(session, ctx, care)
    return announced


def _outside_hours(ctx: ShopContext, customer: Customer, care: dict[str, Any]) -> datetime | None:
    """When the customer's window opens next, if it is closed now (None: open)."""
    opening = care_schedule.in_window(ctx.shop_now, customer.timezone, care["local_hours"])
    return opening if opening > ctx.shop_now else None


def _follow_ups(session: Session, ctx: ShopContext, care: dict[str, Any]) -> list[str]:
    due = session.scalars(
        select(Purchase)
        .where(Purchase.shop_id == ctx.id, Purchase.follow_up_due_at <= ctx.shop_now)
        .order_by(Purchase.follow_up_due_at)
        .limit(BATCH)
    ).all()
    announced = []
    for purchase in due:
        customer = session.get(Customer, (ctx.id, purchase.customer_id))
        if customer is None or purchase.cancelled_at is not None or purchase.delivered_at is None:
            purchase.follow_up_due_at = None
            continue
        later = _outside_hours(ctx, customer, care)
        if later:
            purchase.follow_up_due_at = later
            continue
        purchase.follow_up_due_at = None
        days = max(1, (ctx.shop_now - purchase.delivered_at).days)
        extra = {"order_no": purchase.order_no or "", "days": str(days)}
        task = _create(session, ctx, care, customer, "follow_up", f"follow_up:{purchase.purchase_id}", extra)
        if task:
            task.order_id = purchase.purchase_id
            announced.append(_publish(session, ctx, care, customer, task, order_no=purchase.order_no))
    return announced


def _greetings(session: Session, ctx: ShopContext, care: dict[str, Any]) -> list[str]:
    due = session.scalars(
        select(Customer)
        .where(Customer.shop_id == ctx.id, Customer.greeting_due_at <= ctx.shop_now)
        .order_by(Customer.greeting_due_at)
        .limit(BATCH)
    ).all()
    announced = []
    active_days = care["holiday_greeting"]["active_within_days"]
    for customer in due:
        greeting = care_schedule.next_greeting(customer.country, customer.timezone, care, ctx.shop_now)
        if greeting is None or greeting.due_at > ctx.shop_now:
            customer.greeting_due_at = greeting.due_at if greeting else None
            continue
        after = care_schedule.next_greeting(customer.country, customer.timezone, care, greeting.expires_at)
        customer.greeting_due_at = after.due_at if after else None
        active = customer.last_purchase_at and customer.last_purchase_at >= ctx.shop_now - timedelta(days=active_days)
        if not active:
            continue
        language = _language(customer, care)
        name = care_schedule.holiday_name(customer.country or "", greeting.day, language) or greeting.holiday
        key = f"{customer.customer_id}:{greeting.key}"
        task = _create(session, ctx, care, customer, "holiday_greeting", key, {"holiday": name})
        if task:
            task.expires_at = greeting.expires_at
            announced.append(_publish(session, ctx, care, customer, task))
    return announced


def _win_backs(session: Session, ctx: ShopContext, care: dict[str, Any]) -> list[str]:
    due = session.scalars(
        select(Customer)
        .where(Customer.shop_id == ctx.id, Customer.win_back_due_at <= ctx.shop_now)
        .order_by(Customer.win_back_due_at)
        .limit(BATCH)
    ).all()
    announced = []
    for customer in due:
        last = customer.last_purchase_at
        if last is None:
            customer.win_back_due_at = None
            continue
        if ctx.shop_now < last + timedelta(days=care["win_back_days"]):  # bought again since it was scheduled
            care_schedule.reschedule(customer, care, ctx.shop_now)
            continue
        later = _outside_hours(ctx, customer, care)
        if later:
            customer.win_back_due_at = later
            continue
        customer.win_back_due_at = None
        key = care_schedule.win_back_key(customer.customer_id, last)
        days = str((ctx.shop_now - last).days)
        task = _create(session, ctx, care, customer, "win_back", key, {"days": days})
        if task:
            announced.append(_publish(session, ctx, care, customer, task))
    return announced


def _language(customer: Customer, care: dict[str, Any]) -> str:
    """The customer's language when every template speaks it, else Chinese for Chinese speakers, else English."""
    language = (customer.language or "").split("-")[0].lower()
    if all(language in template["body"] for template in care["templates"].values()):
        return language
    return "zh" if language == "zh" else "en"


def _placeholders(ctx: ShopContext, customer: Customer, language: str, extra: dict[str, str]) -> dict[str, str]:
    settings = crm_settings(ctx.profile)
    level = next((lvl for lvl in settings.grade_levels if lvl.code == customer.grade), None)
    grade = (level.name_zh if language == "zh" else level.name) if level else FALLBACK_GRADE.get(language, "member")
    return {
        "name": customer.name or FALLBACK_NAME.get(language, FALLBACK_NAME["en"]),
        "shop": ctx.shop.name or "",
        "grade": grade,
        "holiday": "",
        "order_no": "",
        "days": "",
        **extra,
    }


def _create(
    session: Session,
    ctx: ShopContext,
    care: dict[str, Any],
    customer: Customer,
    kind: str,
    key: str,
    extra: dict[str, str],
) -> CareTask | None:
    """The task for this occasion, or None when it was announced before (one task per key)."""
    if session.scalar(select(CareTask.id).where(CareTask.shop_id == ctx.id, CareTask.key == key)):
        return None
    language = _language(customer, care)
    template = care["templates"][kind]
    values = _placeholders(ctx, customer, language, extra)
    task = CareTask(
        id=uuid.uuid4().hex,
        shop_id=ctx.id,
        customer_id=customer.customer_id,
        kind=kind,
        key=key[:200],
        language=language,
        subject=template["subject"][language].format_map(values)[:300],
        body=template["body"][language].format_map(values),
        placeholders=values,
        due_at=ctx.shop_now,
        announced_wall_at=ctx.wall_now,
    )
    session.add(task)
    session.flush()
    return task


def _publish(
    session: Session,
    ctx: ShopContext,
    care: dict[str, Any],
    customer: Customer,
    task: CareTask,
    order_no: str | None = None,
) -> str:
    local = ctx.shop_now.astimezone(care_schedule.zone(customer.timezone))
    publish(
        session,
        "care.task_due",
        shop_id=ctx.id,
        payload={
            "task_id": task.id,
            "customer_id": customer.customer_id,
            "customer_name": customer.name,
            "kind": task.kind,
            "language": task.language,
            "channel": care["channel"],
            "subject": task.subject,
            "body": task.body,
            "template": care["templates"][task.kind]["body"][task.language],
            "placeholders": task.placeholders,
            "order_id": task.order_id,
            "order_no": order_no,
            "country": customer.country,
            "timezone": customer.timezone,
            "due_at": task.due_at,
            "local_time": local.isoformat(timespec="minutes"),
            "expires_at": task.expires_at,
            "grade": customer.grade,
            "segment": customer.segment,
        },
    )
    return task.id
