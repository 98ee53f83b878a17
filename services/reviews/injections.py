"""An instructor's one-star review: the buyer of a delivered order reviews one of its lines with one star and a
realistic complaint, through the service's own rule (``reviewing.post_review``), so it is published, counted and
followed up like any buyer's (``review.posted``).

The order is the one the instructor named (the gateway has checked it is this shop's and delivered), else the newest
delivered order with a line not yet reviewed and its review window open. The gateway asks the same rule first
(``target``, behind ``GET /shops/<id>/injection-targets/one_star_review``) and refuses an injection it would find no
order for; one whose order was reviewed meanwhile is left as it is, and the skip reported (``injection.skipped``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reviews.models import OrderFacts, OrderLineFacts, Review
from services.reviews.policy import ReviewPolicy
from services.reviews.reviewing import Written, not_reviewable, post_review
from shoplab.injected_text import fill
from shoplab.injection_targets import Target, report_skipped
from shoplab.shops.context import ShopContext

CANDIDATES = 50  # the newest delivered orders looked at for a line to review


def _reviewable(session: Session, ctx: ShopContext, policy: ReviewPolicy, order_id: str | None
                ) -> tuple[OrderFacts, OrderLineFacts] | None:  # fmt: skip
    """The named order, or the newest delivered one, with a line not reviewed yet and its review window open, and
    that line."""
    stmt = select(OrderFacts).where(OrderFacts.shop_id == ctx.id, OrderFacts.delivered_at.is_not(None))
    if order_id is not None:
        stmt = stmt.where(OrderFacts.order_id == order_id)
    newest = OrderFacts.delivered_at.desc(), OrderFacts.order_id.desc()
    for facts in session.scalars(stmt.order_by(*newest).limit(CANDIDATES)):
        if not_reviewable(facts, policy, ctx.shop_now) is not None:
            continue
        reviewed = set(
            session.scalars(select(Review.sku).where(Review.shop_id == ctx.id, Review.order_id == facts.order_id))
        )
        line = next((line for line in facts.lines if line.sku not in reviewed), None)
        if line is not None:
            return facts, line
    return None


def target(session: Session, ctx: ShopContext, order_id: str | None) -> Target | None:
    """The order a one-star review would be written on now, or None: what the gateway asks before recording one."""
    found = _reviewable(session, ctx, ReviewPolicy.of(ctx.profile), order_id)
    return Target("one_star_review", found[0].order_id, found[0].order_no) if found else None


def inject_one_star_review(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Review | None:
    policy = ReviewPolicy.of(ctx.profile)
    found = _reviewable(session, ctx, policy, data["order_id"])
    if found is None:
        report_skipped(session, ctx.id, "one_star_review", data)
        return None
    facts, line = found
    text = fill(data["text"] or "", data["language"], order_no=facts.order_no, product=line.title)
    scores = {dimension: 1 for dimension in policy.dimensions}
    written = Written(text=text, stars=1, scores=scores)
    return post_review(session, ctx, facts.order_id, facts.customer_id, line.sku, written)
