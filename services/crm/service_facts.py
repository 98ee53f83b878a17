"""What the tickets and reviews services' events tell crm: conversations and their CSAT, disputes and their
rulings, reviews and their stars. Each fact is kept under its own id, whichever event arrives first.

Reviews (``review.posted`` / ``review.revised``) come from the reviews service, whose contracts are not on main
yet: the handlers read the payload crm expects (docs/crm.md, "Integration left"): ``review_id``, ``order_id``,
``customer_id``, ``stars`` 1-5, ``rating`` positive/neutral/negative (derived from the stars and the profile's
review rules when absent), ``posted_at`` / ``revised_at``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.crm import profiles, timeline
from services.crm.models import Conversation, Customer, Dispute, Review
from shoplab.eventbus.envelope import Event
from shoplab.shops.context import ShopContext


def _finish(session: Session, ctx: ShopContext, customer: Customer, event: Event, at: Any, ref: Any, data: dict):
    timeline.record(session, ctx, customer.customer_id, event, at=at, ref=ref, data=data)
    session.flush()
    profiles.settle(session, ctx, customer, purchases_changed=False)


def _conversation(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Conversation:
    found = session.get(Conversation, (ctx.id, data["ticket_id"]))
    if found is None:
        found = Conversation(shop_id=ctx.id, ticket_id=data["ticket_id"], customer_id=data["customer_id"])
        session.add(found)
    found.kind = data.get("kind") or found.kind
    return found


def on_ticket_opened(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    if not data.get("customer_id"):
        return  # a ticket about no customer (an internal task) is nobody's history
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    if data.get("language") and not customer.language:
        customer.language = data["language"]
    _conversation(session, ctx, data).opened_wall_at = data["opened_at"]
    session.flush()
    profiles.refresh_conversations(session, customer)
    facts = {"kind": data["kind"], "channel": data["channel"], "order_no": data.get("order_no")}
    _finish(session, ctx, customer, event, None, data["ticket_id"], facts)


def on_csat_rated(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    if not data.get("customer_id"):
        return
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    conversation = _conversation(session, ctx, data)
    conversation.csat_score = data["score"]
    conversation.rated_wall_at = data["rated_at"]
    session.flush()
    profiles.refresh_conversations(session, customer)
    _finish(session, ctx, customer, event, None, data["ticket_id"], {"score": data["score"]})


def _dispute(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Dispute:
    found = session.get(Dispute, (ctx.id, data["dispute_id"]))
    if found is None:
        found = Dispute(shop_id=ctx.id, dispute_id=data["dispute_id"], order_id=data["order_id"],
                        customer_id=data["customer_id"])  # fmt: skip
        session.add(found)
    return found


def on_dispute_opened(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    dispute = _dispute(session, ctx, data)
    dispute.opened_at = data["opened_at"]
    dispute.reason = data["reason"][:200]
    session.flush()
    profiles.refresh_after_sale(session, customer)
    _finish(session, ctx, customer, event, data["opened_at"], data["order_no"], {"reason": data["reason"]})


def on_dispute_ruled(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    dispute = _dispute(session, ctx, data)
    dispute.outcome = data["outcome"]
    dispute.ruled_at = data["ruled_at"]
    session.flush()
    profiles.refresh_after_sale(session, customer)
    facts = {"outcome": data["outcome"], "arbitrated": data.get("arbitrated")}
    _finish(session, ctx, customer, event, data["ruled_at"], data["order_no"], facts)


def rating_of(stars: int, review_rules: dict[str, Any]) -> str:
    """The rating class of a star count, by the profile's review rules (好评 4-5, 中评 3, 差评 1-2 on taobao)."""
    if stars >= int(review_rules.get("positive_min_stars", 4)):
        return "positive"
    if stars <= int(review_rules.get("negative_max_stars", 2)):
        return "negative"
    return "neutral"


def on_review(session: Session, ctx: ShopContext, event: Event) -> None:
    """``review.posted`` and ``review.revised``: the latest revision wins, whatever the order of arrival."""
    data = event.payload
    revised = event.type == "review.revised"
    at = data.get("revised_at") if revised else data.get("posted_at")
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    stars = int(data["stars"])
    rating = data.get("rating") or rating_of(stars, ctx.profile.get("reviews", {}))
    review = session.get(Review, (ctx.id, data["review_id"]))
    if review is None:
        review = Review(shop_id=ctx.id, review_id=data["review_id"], customer_id=data["customer_id"],
                        order_id=data.get("order_id"), posted_at=data.get("posted_at") or at or ctx.shop_now,
                        stars=stars, rating=rating, revised_at=at if revised else None)  # fmt: skip
        session.add(review)
    elif revised and (review.revised_at is None or (at and at >= review.revised_at)):
        review.stars, review.rating, review.revised_at = stars, rating, at
    session.flush()
    profiles.refresh_reviews(session, customer)
    facts = {"stars": stars, "rating": rating, "order_no": data.get("order_no")}
    _finish(session, ctx, customer, event, at, data["review_id"], facts)
