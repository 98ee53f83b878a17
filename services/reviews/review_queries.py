"""Reading reviews: a shop's list with its filters (the queue of bad reviews to follow up, a customer's reviews
beside the chat, an order's reviews)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from services.reviews.models import Review
from services.reviews.policy import NEGATIVE, NEUTRAL
from shoplab.errors import NotFound

# the same rule as the ``needs_follow_up`` field of a review (schemas.needs_follow_up), as SQL
NEEDS_FOLLOW_UP = and_(
    Review.status == "published",
    Review.rating.in_((NEUTRAL, NEGATIVE)),
    Review.revised_at.is_(None),
    Review.revision_closed_at.is_(None),
)


def list_reviews(session: Session, shop_id: str, query: dict[str, Any]) -> list[Review]:
    """Newest first (the follow-up queue: oldest first, the buyer's revision window closing soonest)."""
    stmt = select(Review).where(Review.shop_id == shop_id)
    if query["status"] != "all":
        stmt = stmt.where(Review.status == query["status"])
    for name in ("rating", "customer_id", "order_id"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Review, name) == query[name])
    if query.get("needs_follow_up") is not None:
        stmt = stmt.where(NEEDS_FOLLOW_UP if query["needs_follow_up"] else ~NEEDS_FOLLOW_UP)
    if query.get("mismatch") is not None:
        stmt = stmt.where(Review.mismatch.is_not(None) if query["mismatch"] else Review.mismatch.is_(None))
    order = Review.posted_at.asc() if query.get("needs_follow_up") else Review.posted_at.desc()
    return list(session.scalars(stmt.order_by(order, Review.id).limit(query["limit"])))


def review_in_full(session: Session, shop_id: str, review_id: str) -> Review:
    """One review with its contact attempts and removal requests (read only for this view)."""
    review = session.scalar(
        select(Review)
        .options(selectinload(Review.contacts), selectinload(Review.removal_requests))
        .where(Review.shop_id == shop_id, Review.id == review_id)
    )
    if review is None:
        raise NotFound(f"review {review_id} not found", {"review_id": ["unknown review"]})
    return review
