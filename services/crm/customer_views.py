"""Reading customers for people: the filtered list (by tag, segment, grade, blacklist, country, text), one
profile with everything beside the chat, and the rows of an export. Reads only; the shapes are the API's."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from services.crm import blacklist, grades, rfm, tagging
from services.crm.crm_profile import crm_settings
from services.crm.models import Customer, RfmState, Tag
from services.crm.rfm_sql import reference_time
from shoplab.shops.context import ShopContext

SORTS = {
    "last_purchase": (Customer.last_purchase_at.desc(), Customer.customer_id),
    "spent": (Customer.monetary_cents.desc(), Customer.customer_id),
    "purchases": (Customer.frequency.desc(), Customer.customer_id),
    "customer_id": (Customer.customer_id,),
    "updated": (Customer.updated_wall_at.desc(), Customer.customer_id),
}


def filtered(shop_id: str, query: dict[str, Any]) -> Select:
    stmt = select(Customer).where(Customer.shop_id == shop_id)
    if query.get("segment"):
        stmt = stmt.where(Customer.segment == query["segment"])
    if query.get("grade"):
        stmt = stmt.where(Customer.grade == query["grade"])
    if query.get("country"):
        stmt = stmt.where(Customer.country == query["country"].upper())
    if query.get("blacklisted") is not None:
        stmt = stmt.where(Customer.blacklisted.is_(query["blacklisted"]))
    if query.get("tag"):
        stmt = stmt.where(
            exists().where(
                Tag.shop_id == shop_id,
                Tag.customer_id == Customer.customer_id,
                Tag.tag == query["tag"],
                Tag.removed_at.is_(None),
            )
        )
    if query.get("q"):
        pattern = f"%{query['q']}%"
        stmt = stmt.where(or_(Customer.customer_id.like(pattern), Customer.name.like(pattern)))
    return stmt.order_by(*SORTS[query.get("sort") or "last_purchase"])


def tags_by_customer(session: Session, shop_id: str, customer_ids: list[str]) -> dict[str, list[Tag]]:
    found: dict[str, list[Tag]] = defaultdict(list)
    for start in range(0, len(customer_ids), 2000):
        part = customer_ids[start : start + 2000]
        for tag in session.scalars(
            select(Tag)
            .where(Tag.shop_id == shop_id, Tag.customer_id.in_(part), Tag.removed_at.is_(None))
            .order_by(Tag.added_at, Tag.id)
        ):
            found[tag.customer_id].append(tag)
    return found


def reference(session: Session, ctx: ShopContext) -> datetime:
    return reference_time(session.get(RfmState, ctx.id) or RfmState(), ctx.shop_now)


def summary(ctx: ShopContext, customer: Customer, tags: list[Tag], as_of: datetime) -> dict[str, Any]:
    """A customer as a list row (and the top of the profile)."""
    settings = crm_settings(ctx.profile)
    last = customer.last_purchase_at
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "country": customer.country,
        "timezone": customer.timezone,
        "language": customer.language,
        "grade": customer.grade,
        "segment": customer.segment,
        "rfm": {
            "recency_days": max(0, int((as_of - last).total_seconds() // 86400)) if last else None,
            "frequency": customer.frequency,
            "monetary": customer.monetary_cents,
            "r": customer.r_score,
            "f": customer.f_score,
            "m": customer.m_score,
            "score": f"{customer.r_score}{customer.f_score}{customer.m_score}" if customer.r_score else None,
            "segment": customer.segment,
            "as_of": as_of,
        },
        "purchases": customer.frequency,
        "spent": customer.monetary_cents,
        "last_purchase_at": last,
        "ltv": grades.lifetime_value_cents(
            settings, customer.monetary_cents, customer.frequency, customer.first_purchase_at, ctx.shop_now
        ),
        "blacklisted": customer.blacklisted,
        "tags": [{"tag": t.tag, "source": t.source} for t in tags],
    }


def profile(session: Session, ctx: ShopContext, customer: Customer) -> dict[str, Any]:
    """Everything the conversation view shows beside the chat."""
    tags = tagging.current_tags(session, ctx.id, customer.customer_id)
    entry = blacklist.current_entry(session, ctx.id, customer.customer_id)
    segment = next((s for s in rfm.segments() if s.code == customer.segment), None)
    c = customer
    return {
        **summary(ctx, customer, tags, reference(session, ctx)),
        "tags": tags,
        "first_order_at": c.first_order_at,
        "last_order_at": c.last_order_at,
        "first_purchase_at": c.first_purchase_at,
        "orders": c.orders,
        "paid_orders": c.paid_orders,
        "paid_amount": c.paid_cents,
        "refunded_amount": c.refunded_cents,
        "refunded_orders": c.refunded_orders,
        "returns": c.returns,
        "disputes": c.disputes,
        "disputes_lost": c.disputes_lost,
        "reviews": c.reviews,
        "average_stars": round(c.stars_total / c.reviews, 2) if c.reviews else None,
        "negative_reviews": c.negative_reviews,
        "conversations": c.conversations,
        "csat_ratings": c.csat_ratings,
        "csat_average": round(c.csat_total / c.csat_ratings, 2) if c.csat_ratings else None,
        "imported_purchases": c.imported_purchases,
        "imported_amount": c.imported_cents,
        "segment_info": {
            "code": segment.code,
            "name": segment.name,
            "name_zh": segment.name_zh,
            "advice": segment.advice,
        }
        if segment
        else None,  # fmt: skip
        "grade_info": _grade_info(ctx, c.grade),
        "blacklist": entry,
        "next_care": {"greeting_due_at": c.greeting_due_at, "win_back_due_at": c.win_back_due_at},
    }


def _grade_info(ctx: ShopContext, code: str | None) -> dict[str, Any] | None:
    settings = crm_settings(ctx.profile)
    for level in settings.grade_levels:
        if level.code == code:
            return {"code": level.code, "name": level.name, "name_zh": level.name_zh,
                    "level": grades.grade_level(settings, code)}  # fmt: skip
    return None
