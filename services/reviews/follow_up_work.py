"""The shop's side of a neutral/negative review (中差评处理): contacting the buyer, and asking the platform to remove
a review that breaks one of its explicit rules.

- **Contact attempts** record who tried to reach the buyer, on which channel, with what outcome, when (both clocks).
  Only reviews first posted neutral or negative are followed up, at most ``max_contact_attempts`` times each: more
  is harassing the buyer, which platforms punish (骚扰买家).
- **Removal requests** name one of the profile's ``removal_rules`` (personal information, obscenity, a product
  review left as seller feedback ...). The platform judges the buyer's texts (the current version and the follow-up)
  with the shared rule checker: granted when they break the rule (the review is removed: ``review.removed``),
  refused otherwise; either way the decision, the rule and the words are kept.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reviews import events
from services.reviews.models import ContactAttempt, RemovalRequest, Review
from services.reviews.policy import NEGATIVE, NEUTRAL, ReviewPolicy, window_open
from services.reviews.review_text import checked_text
from services.reviews.reviewing import load_review
from shoplab.content_rules import check_rule
from shoplab.errors import Conflict, InvalidInput
from shoplab.shops.context import ShopContext

CHANNELS = ("chat", "phone", "sms", "platform_message", "email")
OUTCOMES = ("reached", "no_answer", "declined", "will_revise", "other")
NOTE_MAX_CHARS = 2000


def _published(review: Review) -> None:
    if review.status != "published":
        raise Conflict("the review was removed", {"review_id": ["the review was removed"]}, status=review.status)


def record_contact(session: Session, ctx: ShopContext, review_id: str, agent_id: str, *, channel: str, outcome: str,
                   note: str) -> ContactAttempt:  # fmt: skip
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    _published(review)
    if review.first_rating not in (NEUTRAL, NEGATIVE):
        raise Conflict("only neutral and negative reviews are followed up", {"review_id": ["a positive review"]})
    if channel not in CHANNELS:
        raise InvalidInput("unknown channel", {"channel": [f"one of {', '.join(CHANNELS)}"]})
    if outcome not in OUTCOMES:
        raise InvalidInput("unknown outcome", {"outcome": [f"one of {', '.join(OUTCOMES)}"]})
    cleaned = checked_text(note, "note", NOTE_MAX_CHARS, required=False)
    made = session.scalar(
        select(func.count()).where(ContactAttempt.shop_id == ctx.id, ContactAttempt.review_id == review.id)
    )
    if made >= policy.max_contact_attempts:
        raise Conflict(
            f"the buyer was contacted {made} times about this review: more would be harassment",
            {"review_id": [f"at most {policy.max_contact_attempts} contact attempts"]},
        )
    attempt = ContactAttempt(
        shop_id=ctx.id, review_id=review.id, agent_id=agent_id, channel=channel, outcome=outcome, note=cleaned,
        contacted_at=ctx.shop_now, contacted_wall_at=ctx.wall_now,
    )  # fmt: skip
    session.add(attempt)
    session.flush()
    return attempt


def request_removal(session: Session, ctx: ShopContext, review_id: str, agent_id: str, *, rule: str,
                    note: str) -> RemovalRequest:  # fmt: skip
    policy = ReviewPolicy.of(ctx.profile)
    review = load_review(session, ctx.id, review_id)
    _published(review)
    chosen = policy.removal_rule(rule)
    if chosen is None:
        known = ", ".join(item["id"] for item in policy.removal_rules)
        raise InvalidInput("not a removal rule of this platform", {"rule": [f"one of {known}"]})
    if not window_open(review.posted_at, policy.removal_request_window, ctx.shop_now):
        closed = review.posted_at + policy.removal_request_window
        raise Conflict(f"removal could be requested until {closed.isoformat()}",
                       {"review_id": ["removal request window closed"]}, request_by=closed.isoformat())  # fmt: skip
    cleaned = checked_text(note, "note", NOTE_MAX_CHARS, required=False)
    matched = _matched(review, chosen)
    granted = bool(matched)
    request = RemovalRequest(
        shop_id=ctx.id, review_id=review.id, agent_id=agent_id, rule=rule, note=cleaned,
        decision="granted" if granted else "refused", matched=matched,
        explanation=_explain(chosen, matched), requested_at=ctx.shop_now, requested_wall_at=ctx.wall_now,
    )  # fmt: skip
    session.add(request)
    if granted:
        review.status, review.removed_at, review.removed_rule = "removed", ctx.shop_now, rule
    session.flush()
    if granted:
        events.removed(session, review, agent_id)
    return request


def _matched(review: Review, rule: dict) -> list[str]:
    """The words that break ``rule`` in what the buyer says now: the current rating version and the follow-up, read
    as one comment (a product review "as a whole" is judged on all of it)."""
    current = [v for v in review.versions if v.kind != "follow_up"][-1:]
    follow_up = [v for v in review.versions if v.kind == "follow_up"]
    violation = check_rule("\n".join(v.text for v in current + follow_up), rule)
    return list(violation.matched) if violation else []


def _explain(rule: dict, matched: list[str]) -> str:
    if matched:
        return f"granted under {rule['id']} ({rule.get('description', '')}): {', '.join(matched)}"
    return f"refused: the review breaks no term of {rule['id']} ({rule.get('description', '')})"
