"""The events the reviews service publishes (contracts in ``shoplab/contracts/reviews.py``), each written to the
outbox in the transaction of the change it announces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.reviews.models import Review, ReviewReply, ReviewVersion
from services.reviews.policy import NEGATIVE, NEUTRAL
from services.reviews.review_text import excerpt
from shoplab.eventbus.outbox import publish


def review_ref(review: Review) -> dict[str, Any]:
    return {
        "shop_id": review.shop_id,
        "review_id": review.id,
        "order_id": review.order_id,
        "order_no": review.order_no,
        "sku": review.sku,
        "line_title": review.line_title,
        "customer_id": review.customer_id,
        "stars": review.stars,
        "rating": review.rating,
    }


def posted(session: Session, review: Review, version: ReviewVersion, revise_by: datetime | None) -> None:
    publish(
        session,
        "review.posted",
        shop_id=review.shop_id,
        payload={
            **review_ref(review),
            "buyer_name": review.buyer_name,
            "buyer_language": review.buyer_language,
            "text_excerpt": excerpt(version.text),
            "scores": {"as_described": review.as_described, "service": review.service, "logistics": review.logistics},
            "photos": len(version.photos),
            "sentiment": {
                "score": version.sentiment_score,
                "label": version.sentiment_label,
                "language": version.language,
            },
            "mismatch": version.mismatch,
            "needs_follow_up": review.rating in (NEUTRAL, NEGATIVE),
            "posted_at": review.posted_at,
            "revise_by": revise_by,
        },
    )


def revised(
    session: Session, review: Review, version: ReviewVersion, previous: tuple[int, str], direction: str, recovered: bool
) -> None:
    publish(
        session,
        "review.revised",
        shop_id=review.shop_id,
        payload={
            **review_ref(review),
            "previous_stars": previous[0],
            "previous_rating": previous[1],
            "direction": direction,
            "recovered": recovered,
            "text_excerpt": excerpt(version.text),
            "revised_at": version.written_at,
        },
    )


def replied(session: Session, review: Review, reply: ReviewReply, agent_id: str, at: datetime, edited: bool) -> None:
    publish(
        session,
        "review.replied",
        shop_id=review.shop_id,
        payload={
            **review_ref(review),
            "agent_id": agent_id,
            "reply_excerpt": excerpt(reply.text),
            "edited": edited,
            "reply_seconds": reply.reply_seconds,
            "replied_at": at,
        },
    )


def removed(session: Session, review: Review, agent_id: str) -> None:
    publish(
        session,
        "review.removed",
        shop_id=review.shop_id,
        payload={
            **review_ref(review),
            "rule": review.removed_rule,
            "requested_by": agent_id,
            "removed_at": review.removed_at,
        },
    )


def revision_window_closed(session: Session, review: Review, revise_by: datetime) -> None:
    publish(
        session,
        "review.revision_window_closed",
        shop_id=review.shop_id,
        payload={**review_ref(review), "revise_by": revise_by},
    )
