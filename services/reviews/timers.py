"""The reviews service's timer, run for every open shop at that shop's simulated now by the shared runner
(``shoplab.shops.timer_runner``); how often it ticks is in the topology table.

``reviews.close_revision_windows``: a neutral/negative review that its buyer did not revise within the profile's
``revise_window_days`` can no longer be revised: it is marked, and ``review.revision_window_closed`` tells the
service queue that there is nothing left to follow up (the other windows need no timer: they are checked when
someone acts).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from services.reviews import events
from services.reviews.models import Review
from services.reviews.policy import ReviewPolicy
from shoplab.shops.context import ShopContext
from shoplab.shops.timer_runner import ShopTimer


def _expired(ctx: ShopContext) -> ColumnElement[bool]:
    policy = ReviewPolicy.of(ctx.profile)
    return and_(
        Review.shop_id == ctx.id,
        Review.status == "published",
        Review.first_rating.in_(sorted(policy.revisable)),
        Review.revised_at.is_(None),
        Review.revision_closed_at.is_(None),
        Review.posted_at <= ctx.shop_now - policy.revise_window,
    )


def close_revision_windows(session: Session, ctx: ShopContext) -> list[str]:
    """Mark the reviews whose revision window has passed, at the moment it passed, and announce each once."""
    window = ReviewPolicy.of(ctx.profile).revise_window
    closed = session.scalars(select(Review).where(_expired(ctx)).order_by(Review.posted_at)).all()
    for review in closed:
        review.revision_closed_at = review.posted_at + window
        events.revision_window_closed(session, review, review.revision_closed_at)
    return [review.id for review in closed]


def revision_windows_due(ctx: ShopContext) -> ColumnElement[bool]:
    return exists().where(_expired(ctx))


TIMERS: dict[str, ShopTimer] = {
    "reviews.close_revision_windows": ShopTimer(close_revision_windows, revision_windows_due),
}
