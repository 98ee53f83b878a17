"""Review metrics per shop and per agent for a period of shop time, computed by the database (aggregates over
indexed columns; no rows are loaded into Python).

Each rate is a cohort: a review counts when it was posted in [from, to), with what became of it since (revised,
replied). Removed reviews leave every rating figure, as they leave the platform's record; they are counted apart.

| metric | formula |
|---|---|
| positive review rate (好评率) | positive / (positive + neutral + negative), the reviews' classes now |
| DSR | average score per dimension of the reviews posted in the rolling window [to - dsr_days, to) |
| neutral/negative | reviews whose class now is neutral or negative |
| bad-review recovery | first posted neutral/negative and revised to a better class / first posted neutral/negative |
| reply rate, reply time | reviews with a shop reply / reviews; mean wall seconds from the review to the first reply |
| order defect rate (ODR) | orders placed in the period with a negative review (now) or a dispute / those orders |

Per agent: replies written in the period and their mean reply time; the neutral/negative reviews the agent contacted
in the period and how many of them were then revised to a better class (after the agent's first contact); removal
requests granted and refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from services.reviews.models import ContactAttempt, OrderFacts, RemovalRequest, Review, ReviewReply
from services.reviews.policy import NEGATIVE, NEUTRAL, POSITIVE

BAD = (NEUTRAL, NEGATIVE)
# the class now is better than the class first posted
RECOVERED = or_(
    and_(Review.first_rating == NEGATIVE, Review.rating.in_((NEUTRAL, POSITIVE))),
    and_(Review.first_rating == NEUTRAL, Review.rating == POSITIVE),
)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _average(value: Any, places: int) -> float | None:
    return round(float(value), places) if value is not None else None


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _period(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def shop_metrics(session: Session, shop_id: str, start: datetime, end: datetime, dsr_days: int) -> dict[str, Any]:
    published = and_(Review.shop_id == shop_id, Review.status == "published")
    row = session.execute(
        select(
            func.count(Review.id),
            _count_if(Review.rating == POSITIVE),
            _count_if(Review.rating == NEUTRAL),
            _count_if(Review.rating == NEGATIVE),
            _count_if(Review.first_rating.in_(BAD)),
            _count_if(and_(Review.revised_at.is_not(None), RECOVERED)),
            func.count(ReviewReply.review_id),
            func.avg(ReviewReply.reply_seconds),
            _count_if(Review.mismatch.is_not(None)),
        )
        .select_from(Review)
        .outerjoin(ReviewReply, ReviewReply.review_id == Review.id)
        .where(published, _period(Review.posted_at, start, end))
    ).one()
    total, positive, neutral, negative, first_bad, recovered, replied, reply_seconds, mismatched = row
    removed = session.scalar(
        select(func.count()).where(
            Review.shop_id == shop_id, Review.status == "removed", _period(Review.posted_at, start, end)
        )
    )
    return {
        "reviews": total,
        "positive": positive,
        "neutral": neutral,
        "negative": negative,
        "positive_rate": _rate(positive, total),
        "neutral_negative": neutral + negative,
        "first_neutral_negative": first_bad,
        "recovered": recovered,
        "recovery_rate": _rate(recovered, first_bad),
        "replied": replied,
        "reply_rate": _rate(replied, total),
        "average_reply_seconds": _average(reply_seconds, 1),
        "mismatched": mismatched,
        "removed": removed,
        "dsr": dsr(session, shop_id, end, dsr_days),
        **order_defects(session, shop_id, start, end),
    }


def dsr(session: Session, shop_id: str, end: datetime, days: int) -> dict[str, Any]:
    """Detailed seller ratings: the mean score per dimension over the rolling window that ends at ``end``."""
    start = end - timedelta(days=days)
    count, described, service, logistics = session.execute(
        select(func.count(), func.avg(Review.as_described), func.avg(Review.service), func.avg(Review.logistics)).where(
            Review.shop_id == shop_id, Review.status == "published", _period(Review.posted_at, start, end)
        )
    ).one()
    return {
        "days": days,
        "from": start,
        "reviews": count,
        "as_described": _average(described, 2),
        "service": _average(service, 2),
        "logistics": _average(logistics, 2),
    }


def order_defects(session: Session, shop_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    negative_review = exists().where(
        Review.shop_id == OrderFacts.shop_id,
        Review.order_id == OrderFacts.order_id,
        Review.status == "published",
        Review.rating == NEGATIVE,
    )
    disputed = OrderFacts.disputed_at.is_not(None)
    orders, with_negative, with_dispute, defective = session.execute(
        select(
            func.count(),
            _count_if(negative_review),
            _count_if(disputed),
            _count_if(or_(negative_review, disputed)),
        ).where(OrderFacts.shop_id == shop_id, _period(OrderFacts.placed_at, start, end))
    ).one()
    return {
        "orders": orders,
        "orders_with_negative_review": with_negative,
        "orders_disputed": with_dispute,
        "defective_orders": defective,
        "order_defect_rate": _rate(defective, orders),
    }


def _agent_entry(agents: dict[str, dict[str, Any]], agent_id: str) -> dict[str, Any]:
    return agents.setdefault(
        agent_id,
        {
            "agent_id": agent_id,
            "replies": 0,
            "average_reply_seconds": None,
            "contact_attempts": 0,
            "reviews_contacted": 0,
            "recovered": 0,
            "recovery_rate": None,
            "removals_granted": 0,
            "removals_refused": 0,
        },
    )


def agent_metrics(
    session: Session, shop_id: str, start: datetime, end: datetime, agent: str | None = None
) -> list[dict[str, Any]]:
    """What each agent did in the period, grouped by agent in SQL; ``agent`` narrows it to one."""
    agents: dict[str, dict[str, Any]] = {}
    replies = select(ReviewReply.agent_id, func.count(), func.avg(ReviewReply.reply_seconds)).where(
        ReviewReply.shop_id == shop_id, _period(ReviewReply.replied_at, start, end)
    )
    if agent:
        replies = replies.where(ReviewReply.agent_id == agent)
    for agent_id, count, seconds in session.execute(replies.group_by(ReviewReply.agent_id)):
        _agent_entry(agents, agent_id).update(replies=count, average_reply_seconds=_average(seconds, 1))

    first = select(
        ContactAttempt.agent_id,
        ContactAttempt.review_id,
        func.min(ContactAttempt.contacted_at).label("first_at"),
        func.count().label("attempts"),
    ).where(ContactAttempt.shop_id == shop_id, _period(ContactAttempt.contacted_at, start, end))
    if agent:
        first = first.where(ContactAttempt.agent_id == agent)
    first = first.group_by(ContactAttempt.agent_id, ContactAttempt.review_id).subquery()
    won = and_(Review.revised_at.is_not(None), Review.revised_at >= first.c.first_at, RECOVERED)
    contacted = (
        select(first.c.agent_id, func.sum(first.c.attempts), func.count(), _count_if(won))
        .join(Review, and_(Review.shop_id == shop_id, Review.id == first.c.review_id))
        .group_by(first.c.agent_id)
    )
    for agent_id, attempts, reviews, recovered in session.execute(contacted):
        _agent_entry(agents, agent_id).update(
            contact_attempts=int(attempts),
            reviews_contacted=reviews,
            recovered=recovered,
            recovery_rate=_rate(recovered, reviews),
        )

    removals = select(
        RemovalRequest.agent_id,
        _count_if(RemovalRequest.decision == "granted"),
        _count_if(RemovalRequest.decision == "refused"),
    ).where(RemovalRequest.shop_id == shop_id, _period(RemovalRequest.requested_at, start, end))
    if agent:
        removals = removals.where(RemovalRequest.agent_id == agent)
    for agent_id, granted, refused in session.execute(removals.group_by(RemovalRequest.agent_id)):
        _agent_entry(agents, agent_id).update(removals_granted=granted, removals_refused=refused)
    return sorted(agents.values(), key=lambda row: row["agent_id"])
