"""Customer profiles: found or started on the first event that names a customer, their counters recomputed from
the fact tables, then settled (grade, RFM scores, rule tags, care schedule) with the events that follow from it.

Recomputing counters from the facts (rather than adding one per event) is what makes the profile right whatever
order the events came in and however often one was delivered: the facts are keyed by their own ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from services.crm import care_schedule, grades, tag_rules, tagging
from services.crm.crm_profile import crm_settings
from services.crm.models import Conversation, Customer, Dispute, Purchase, Return, Review
from services.crm.rfm import segment_of
from services.crm.rfm_sql import counted, reference_time, score_one, state_of
from shoplab.contracts.money import wire
from shoplab.errors import NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

COUNTERS = (
    "orders", "paid_orders", "paid_cents", "refunded_cents", "refunded_orders", "returns", "disputes",
    "disputes_lost", "reviews", "stars_total", "negative_reviews", "conversations", "csat_ratings", "csat_total",
    "imported_purchases", "imported_cents", "frequency", "monetary_cents",
)  # fmt: skip


def new_customer(shop_id: str, customer_id: str, wall_now: datetime) -> Customer:
    return Customer(
        shop_id=shop_id,
        customer_id=customer_id,
        blacklisted=False,
        rule_tags="",
        created_wall_at=wall_now,
        updated_wall_at=wall_now,
        **dict.fromkeys(COUNTERS, 0),
    )


def customer_for(session: Session, ctx: ShopContext, customer_id: str) -> Customer:
    """The customer, started now if this is the first we hear of them."""
    customer = session.get(Customer, (ctx.id, customer_id))
    if customer is None:
        customer = new_customer(ctx.id, customer_id, ctx.wall_now)
        session.add(customer)
    return customer


def load_customer(session: Session, shop_id: str, customer_id: str) -> Customer:
    """A customer of this shop (404 otherwise: another shop's customer is not found here either)."""
    customer = session.get(Customer, (shop_id, customer_id))
    if customer is None:
        raise NotFound(f"customer {customer_id} is not known in this shop", {"customer_id": ["unknown customer"]})
    return customer


def set_identity(customer: Customer, **identity: str | None) -> None:
    """Name, country, time zone and language as the latest event says them (blank values never erase)."""
    for field, value in identity.items():
        if value:
            setattr(customer, field, value[:200] if field == "name" else value)


def _purchase_totals():
    p = Purchase
    live = p.source == "order"
    return select(
        func.count(case((and_(live, p.placed_at.is_not(None)), 1))).label("orders"),
        func.count(case((and_(live, p.paid_at.is_not(None)), 1))).label("paid_orders"),
        func.coalesce(func.sum(case((live, p.paid_cents), else_=0)), 0).label("paid_cents"),
        func.coalesce(func.sum(case((live, p.refunded_cents), else_=0)), 0).label("refunded_cents"),
        func.count(case((and_(live, p.refunded_cents > 0), 1))).label("refunded_orders"),
        func.count(case((p.source == "import", 1))).label("imported_purchases"),
        func.coalesce(func.sum(case((p.source == "import", p.paid_cents), else_=0)), 0).label("imported_cents"),
        func.count(case((counted(), 1))).label("frequency"),
        func.coalesce(func.sum(case((counted(), p.paid_cents - p.refunded_cents), else_=0)), 0).label("money"),
        func.min(case((counted(), p.paid_at))).label("first_purchase_at"),
        func.max(case((counted(), p.paid_at))).label("last_purchase_at"),
        func.min(p.placed_at).label("first_order_at"),
        func.max(p.placed_at).label("last_order_at"),
    ).where(p.shop_id == bindparam("shop_id"), p.customer_id == bindparam("customer_id"))


# Built once: these run for every event, and building a statement costs more than running it.
_PURCHASE_TOTALS = _purchase_totals()
_RETURNS = select(func.count()).where(
    Return.shop_id == bindparam("shop_id"), Return.customer_id == bindparam("customer_id")
)
_DISPUTES = select(
    func.count(case((Dispute.opened_at.is_not(None), 1))),
    func.count(case((Dispute.outcome.in_(("buyer", "split")), 1))),
).where(Dispute.shop_id == bindparam("shop_id"), Dispute.customer_id == bindparam("customer_id"))
_REVIEWS = select(
    func.count(), func.coalesce(func.sum(Review.stars), 0), func.count(case((Review.rating == "negative", 1)))
).where(Review.shop_id == bindparam("shop_id"), Review.customer_id == bindparam("customer_id"))
_CONVERSATIONS = select(
    func.count(Conversation.opened_wall_at),
    func.count(Conversation.csat_score),
    func.coalesce(func.sum(func.coalesce(Conversation.csat_score, 0)), 0).cast(Integer),
).where(Conversation.shop_id == bindparam("shop_id"), Conversation.customer_id == bindparam("customer_id"))


def _key(customer: Customer) -> dict[str, str]:
    return {"shop_id": customer.shop_id, "customer_id": customer.customer_id}


def refresh_purchases(session: Session, customer: Customer) -> None:
    values = session.execute(_PURCHASE_TOTALS, _key(customer)).one()._asdict()
    customer.monetary_cents = int(values.pop("money"))
    for field, value in values.items():
        setattr(customer, field, int(value) if field not in _MOMENTS else _moment(value))


_MOMENTS = {"first_purchase_at", "last_purchase_at", "first_order_at", "last_order_at"}


def _moment(value: Any) -> datetime | None:
    """MIN/MAX over a CASE come back as the database's text on SQLite: read them back as UTC datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def refresh_after_sale(session: Session, customer: Customer) -> None:
    customer.returns = session.scalar(_RETURNS, _key(customer)) or 0
    opened, lost = session.execute(_DISPUTES, _key(customer)).one()
    customer.disputes, customer.disputes_lost = int(opened), int(lost)


def refresh_reviews(session: Session, customer: Customer) -> None:
    row = session.execute(_REVIEWS, _key(customer)).one()
    customer.reviews, customer.stars_total, customer.negative_reviews = (int(value) for value in row)


def refresh_conversations(session: Session, customer: Customer) -> None:
    row = session.execute(_CONVERSATIONS, _key(customer)).one()
    customer.conversations, customer.csat_ratings, customer.csat_total = (int(value) for value in row)


def settle(session: Session, ctx: ShopContext, customer: Customer, *, purchases_changed: bool = True) -> None:
    """After the facts changed: grade, RFM scores, rule tags and care schedule follow, with their events."""
    settings = crm_settings(ctx.profile)
    customer.updated_wall_at = ctx.wall_now
    # what follows reads nothing the customer's pending changes affect: they are written once, at commit
    with session.no_autoflush:
        if purchases_changed:
            _settle_grade(session, ctx, customer, settings)
            _settle_rfm(session, ctx, customer)
        apply_rules(session, ctx, customer)
        care_schedule.reschedule(customer, settings.care, ctx.shop_now)


def apply_rules(session: Session, ctx: ShopContext, customer: Customer) -> None:
    """The rule tags as the facts and the clock say now, and when to look again."""
    settings = crm_settings(ctx.profile)
    metrics = tag_rules.metrics_of(customer, grades.grade_level(settings, customer.grade), ctx.shop_now)
    tagging.apply_rules(session, ctx, customer, tag_rules.tags_for(settings.tag_rules, metrics))
    customer.rules_due_at = tag_rules.next_change(settings.tag_rules, customer, ctx.shop_now)


def _settle_grade(session: Session, ctx: ShopContext, customer: Customer, settings: Any) -> None:
    level = grades.grade_for(settings, customer.monetary_cents, customer.frequency)
    code = level.code if level else None
    if code == customer.grade:
        return
    previous, customer.grade = customer.grade, code
    publish(
        session,
        "customer.grade_changed",
        shop_id=ctx.id,
        payload={
            "customer_id": customer.customer_id,
            "customer_name": customer.name,
            "grade": code,
            "previous_grade": previous,
            "spent": wire(customer.monetary_cents),
            "purchases": customer.frequency,
            "at": ctx.shop_now,
        },
    )


def _settle_rfm(session: Session, ctx: ShopContext, customer: Customer) -> None:
    state = state_of(session, ctx.id)
    state.dirty = True  # the timer computes the shop in full soon; meanwhile this customer is scored at once
    found = score_one(customer, state, reference_time(state, ctx.shop_now))
    r, f, m = found if found else (None, None, None)
    segment = segment_of(r, f)
    previous = customer.segment
    customer.r_score, customer.f_score, customer.m_score = r, f, m
    if segment == previous:
        return
    customer.segment = segment
    publish(
        session,
        "customer.segment_changed",
        shop_id=ctx.id,
        payload={
            "customer_id": customer.customer_id,
            "customer_name": customer.name,
            "segment": segment,
            "previous_segment": previous,
            "r": r,
            "f": f,
            "m": m,
            "at": ctx.shop_now,
        },
    )
