"""What a buyer does: review an order line, revise a neutral/negative review once, add one follow-up review (追评).

A line is reviewable when its order is delivered (or completed) and not cancelled, nor closed by a full refund on a
profile that closes such orders, and the review window (``review_window_days`` from the delivery, shop time) is
open; each line once. Who writes must be the order's buyer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.reviews import events, sentiment
from services.reviews.models import OrderFacts, Review, ReviewVersion, new_id
from services.reviews.order_facts import delivered_on, fully_refunded
from services.reviews.policy import ReviewPolicy, better, direction, window_open
from services.reviews.review_text import checked_text
from shoplab.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoplab.shops.context import ShopContext


@dataclass(frozen=True)
class Written:
    """What the buyer wrote: stars and dimension scores (a review, a revision), text and photo URLs."""

    text: str
    photos: list[str] = field(default_factory=list)
    stars: int | None = None
    scores: dict[str, int] = field(default_factory=dict)


def load_order(session: Session, shop_id: str, order_id: str) -> OrderFacts:
    facts = session.get(OrderFacts, (shop_id, order_id))
    if facts is None:
        raise NotFound(f"order {order_id} is not known to the reviews service", {"order_id": ["unknown order"]})
    return facts


def load_review(session: Session, shop_id: str, review_id: str) -> Review:
    review = session.scalar(select(Review).where(Review.shop_id == shop_id, Review.id == review_id))
    if review is None:
        raise NotFound(f"review {review_id} not found", {"review_id": ["unknown review"]})
    return review


def not_reviewable(facts: OrderFacts, policy: ReviewPolicy, now: datetime) -> tuple[str, str] | None:
    """Why the order cannot be reviewed now, as (reason code, message), or None when it can."""
    opened = delivered_on(facts)
    if facts.cancelled_at is not None:
        return "cancelled", "the order was cancelled"
    if opened is None:
        return "not_delivered", "the order has not been delivered yet"
    if policy.closed_by_full_refund and fully_refunded(facts):
        return "closed_by_refund", "the order was refunded in full and is closed"
    if not window_open(opened, policy.review_window, now):
        return "window_closed", f"the review window closed at {(opened + policy.review_window).isoformat()}"
    if not facts.lines:
        return "lines_unknown", "the order's lines have not reached the reviews service yet; try again shortly"
    return None


def review_by(facts: OrderFacts, policy: ReviewPolicy) -> datetime | None:
    opened = delivered_on(facts)
    return opened + policy.review_window if opened else None


def _check_buyer(facts_customer: str, customer_id: str) -> None:
    if customer_id != facts_customer:
        raise Forbidden("only the order's buyer may do this", {"customer_id": ["not the buyer of this order"]})


def _checked(policy: ReviewPolicy, written: Written) -> tuple[str, list[str]]:
    text = checked_text(written.text, "text", policy.text_max_chars)
    if len(written.photos) > policy.max_photos:
        raise InvalidInput("too many photos", {"photos": [f"at most {policy.max_photos} photos"]})
    if written.stars is not None and not 1 <= written.stars <= policy.scale:
        raise InvalidInput("stars out of range", {"stars": [f"must be 1 to {policy.scale}"]})
    return text, list(written.photos)


def _version(review: Review, seq: int, kind: str, policy: ReviewPolicy, ctx: ShopContext, written: Written,
             stars: int) -> ReviewVersion:  # fmt: skip
    """A version of the review, its text scored; ``stars`` are the review's stars that the text is compared with."""
    text, photos = _checked(policy, written)
    mood = sentiment.score_text(text)
    rated = written.stars is not None
    return ReviewVersion(
        review_id=review.id,
        seq=seq,
        shop_id=review.shop_id,
        kind=kind,
        stars=written.stars,
        rating=policy.rating_of(written.stars) if rated else None,
        as_described=written.scores.get("as_described") if rated else None,
        service=written.scores.get("service") if rated else None,
        logistics=written.scores.get("logistics") if rated else None,
        text=text,
        photos=photos,
        sentiment_score=mood.score,
        sentiment_label=mood.label,
        language=mood.language,
        mismatch=sentiment.mismatch(policy, stars, mood),
        written_at=ctx.shop_now,
        written_wall_at=ctx.wall_now,
    )


def _apply_rating(review: Review, version: ReviewVersion) -> None:
    review.stars = version.stars
    review.rating = version.rating
    review.as_described = version.as_described
    review.service = version.service
    review.logistics = version.logistics
    review.mismatch = version.mismatch


def post_review(session: Session, ctx: ShopContext, order_id: str, customer_id: str, sku: str,
                written: Written) -> Review:  # fmt: skip
    """The buyer reviews one line of a delivered order: ``review.posted`` (a neutral or negative one carries what
    the queue needs to open a follow-up task)."""
    policy = ReviewPolicy.of(ctx.profile)
    facts = load_order(session, ctx.id, order_id)
    _check_buyer(facts.customer_id, customer_id)
    refusal = not_reviewable(facts, policy, ctx.shop_now)
    if refusal is not None:
        until = review_by(facts, policy)
        raise Conflict(refusal[1], {"order_id": [refusal[1]]}, reason=refusal[0], review_by=until and until.isoformat())
    line = next((line for line in facts.lines if line.sku == sku), None)
    if line is None:
        skus = ", ".join(each.sku for each in facts.lines)
        raise InvalidInput("not a line of this order", {"sku": [f"not a line of this order; one of {skus}"]})
    existing = _review_of_line(session, ctx.id, order_id, sku)
    if existing is not None:
        raise Conflict("this line has been reviewed already", {"sku": ["reviewed already"]}, review_id=existing)
    review = Review(
        id=new_id(), shop_id=ctx.id, order_id=order_id, order_no=facts.order_no, sku=sku, line_title=line.title,
        product_id=line.product_id, customer_id=facts.customer_id, buyer_name=facts.buyer_name or "",
        buyer_language=facts.buyer_language or "", status="published", posted_at=ctx.shop_now,
        posted_wall_at=ctx.wall_now, reply=None,  # set, so the answer is read without the session
    )  # fmt: skip
    version = _version(review, 1, "review", policy, ctx, written, written.stars or 0)
    _apply_rating(review, version)
    review.first_stars, review.first_rating = version.stars, version.rating
    review.versions.append(version)
    session.add(review)
    try:
        session.flush()
    except IntegrityError:  # a second review of the line committed between our check and our insert
        raise Conflict("this line has been reviewed already", {"sku": ["reviewed already"]})
    revisable = review.rating in policy.revisable
    events.posted(session, review, version, ctx.shop_now + policy.revise_window if revisable else None)
    return review


def _review_of_line(session: Session, shop_id: str, order_id: str, sku: str) -> str | None:
    return session.scalar(
        select(Review.id).where(Review.shop_id == shop_id, Review.order_id == order_id, Review.sku == sku)
    )


def _next_seq(review: Review) -> int:
    return len(review.versions) + 1


def _published(review: Review) -> None:
    if review.status != "published":
        raise Conflict("the review was removed", {"review_id": ["the review was removed"]}, status=review.status)


def revise_review(session: Session, ctx: ShopContext, review_id: str, customer_id: str, written: Written) -> Review:
    """The buyer's one change of a neutral/negative review, up or down, within the revision window; every version
    is kept. ``review.revised`` says the previous stars and class and whether the review was recovered."""
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    _check_buyer(review.customer_id, customer_id)
    _published(review)
    if review.revised_at is not None:
        raise Conflict(
            "a review may be revised once", {"review_id": ["revised already"]}, revised_at=review.revised_at.isoformat()
        )
    if review.first_rating not in policy.revisable:
        allowed = " and ".join(sorted(policy.revisable))
        raise Conflict(f"only {allowed} reviews may be revised", {"review_id": [f"a {review.first_rating} review"]})
    if not window_open(review.posted_at, policy.revise_window, ctx.shop_now):
        closed = review.posted_at + policy.revise_window
        raise Conflict(f"the revision window closed at {closed.isoformat()}", {"review_id": ["revision window closed"]},
                       revise_by=closed.isoformat())  # fmt: skip
    previous = (review.stars, review.rating)
    version = _version(review, _next_seq(review), "revision", policy, ctx, written, written.stars or 0)
    review.versions.append(version)
    _apply_rating(review, version)
    review.revised_at, review.revised_wall_at = ctx.shop_now, ctx.wall_now
    session.flush()
    recovered = better(review.rating, previous[1])
    events.revised(session, review, version, previous, direction(previous[0], review.stars), recovered)
    return review


def follow_up(session: Session, ctx: ShopContext, review_id: str, customer_id: str, written: Written) -> Review:
    """The buyer's one follow-up review (追评): text and photos, no stars, within ``follow_up_window_days`` of the
    delivery. Its sentiment is compared with the review's stars now (a 5-star review whose follow-up is angry)."""
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    _check_buyer(review.customer_id, customer_id)
    _published(review)
    if review.followed_up_at is not None:
        raise Conflict("a review has one follow-up", {"review_id": ["followed up already"]})
    facts = load_order(session, ctx.id, review.order_id)
    opened = delivered_on(facts) or review.posted_at
    if not window_open(opened, policy.follow_up_window, ctx.shop_now):
        closed = opened + policy.follow_up_window
        message = f"the follow-up window closed at {closed.isoformat()}"
        raise Conflict(message, {"review_id": ["follow-up window closed"]}, follow_up_by=closed.isoformat())
    version = _version(review, _next_seq(review), "follow_up", policy, ctx, written, review.stars)
    review.versions.append(version)
    review.followed_up_at = ctx.shop_now
    review.mismatch = review.mismatch or version.mismatch
    session.flush()
    return review


def reviewable(session: Session, ctx: ShopContext, order_id: str) -> dict[str, Any]:
    """Whether (and until when) the order's lines may be reviewed now, and which are reviewed already."""
    policy = ReviewPolicy.of(ctx.profile)
    facts = load_order(session, ctx.id, order_id)
    refusal = not_reviewable(facts, policy, ctx.shop_now)
    of_order = select(Review.sku, Review.id).where(Review.shop_id == ctx.id, Review.order_id == order_id)
    reviewed = dict(session.execute(of_order).all())
    return {
        "order_id": facts.order_id,
        "order_no": facts.order_no,
        "customer_id": facts.customer_id,
        "reviewable": refusal is None,
        "reason": refusal[0] if refusal else None,
        "review_by": review_by(facts, policy),
        "lines": [
            {"sku": line.sku, "title": line.title, "quantity": line.quantity, "review_id": reviewed.get(line.sku)}
            for line in facts.lines
        ],
    }
