"""The shop's public reply to a review (解释): one per review, written by an agent within ``reply_window_days`` of
the review, editable within ``reply_edit_window_hours`` of the first reply (shop time), and checked before it is
kept by the platform-rule checker that checks the service queue's replies (``shoplab.content_rules``): a ``refuse``
rule stops it (422 naming ``text``, the rule and the words), a ``warn`` rule lets it through with the warning.

Reply time is people's time: wall seconds from the review's posting to the first reply.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.reviews import events
from services.reviews.models import ReviewReply
from services.reviews.policy import ReviewPolicy, window_open
from services.reviews.review_text import checked_text
from services.reviews.reviewing import load_review
from shoplab.content_rules import Violation, screen
from shoplab.errors import Conflict
from shoplab.shops.context import ShopContext

REPLY_MAX_CHARS = 500


def _screened(ctx: ShopContext, text: str) -> tuple[str, list[Violation]]:
    cleaned = checked_text(text, "text", REPLY_MAX_CHARS)
    return cleaned, screen(cleaned, ctx.profile["forbidden_content"], field="text")


def reply(session: Session, ctx: ShopContext, review_id: str, agent_id: str, text: str) -> ReviewReply:
    """The shop's first reply: ``review.replied``."""
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    if review.status != "published":
        raise Conflict("the review was removed", {"review_id": ["the review was removed"]}, status=review.status)
    if review.reply is not None:
        raise Conflict("the review has a reply already; edit it instead", {"review_id": ["replied already"]})
    if not window_open(review.posted_at, policy.reply_window, ctx.shop_now):
        closed = review.posted_at + policy.reply_window
        raise Conflict(
            f"the reply window closed at {closed.isoformat()}",
            {"review_id": ["reply window closed"]},
            reply_by=closed.isoformat(),
        )
    cleaned, warnings = _screened(ctx, text)
    answer = ReviewReply(
        review_id=review.id,
        shop_id=ctx.id,
        agent_id=agent_id,
        text=cleaned,
        first_text=cleaned,
        edits=0,
        warnings=[warning.to_dict() for warning in warnings],
        reply_seconds=round(max(0.0, (ctx.wall_now - review.posted_wall_at).total_seconds()), 3),
        replied_at=ctx.shop_now,
        replied_wall_at=ctx.wall_now,
    )
    review.reply = answer
    session.flush()
    events.replied(session, review, answer, agent_id, ctx.shop_now, edited=False)
    return answer


def edit_reply(session: Session, ctx: ShopContext, review_id: str, agent_id: str, text: str) -> ReviewReply:
    """Correct the reply within the edit window (the first text is kept for the record): ``review.replied`` with
    ``edited``."""
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    answer = review.reply
    if answer is None:
        raise Conflict("the review has no reply to edit", {"review_id": ["no reply yet"]})
    if not window_open(answer.replied_at, policy.reply_edit_window, ctx.shop_now):
        closed = answer.replied_at + policy.reply_edit_window
        raise Conflict(
            f"the reply could be edited until {closed.isoformat()}",
            {"review_id": ["reply edit window closed"]},
            edit_by=closed.isoformat(),
        )
    cleaned, warnings = _screened(ctx, text)
    answer.text = cleaned
    answer.warnings = [warning.to_dict() for warning in warnings]
    answer.edits += 1
    answer.edited_by, answer.edited_at, answer.edited_wall_at = agent_id, ctx.shop_now, ctx.wall_now
    session.flush()
    events.replied(session, review, answer, agent_id, ctx.shop_now, edited=True)
    return answer
