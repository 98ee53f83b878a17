"""The order facts a review needs, kept from the orders and tickets services' events, in whatever order they arrive.

- ``order.placed``: the buyer (name, language), the lines (one review each), the total, when it was placed;
- ``order.delivered`` / ``order.completed``: the review windows open (the first delivery counts);
- ``order.cancelled``: never reviewable;
- ``refund.completed``: what went back (an order refunded in full is closed, on profiles that say so);
- ``dispute.opened`` / ``dispute.ruled``: the order is defective (order defect rate); a ruling that overtakes its
  opening marks the order too.

Every event carries the order's id, number and customer, so the first one to arrive creates the row and the others
fill it in. Each fact is set once: a redelivery or a late duplicate changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.reviews.models import OrderFacts, OrderLineFacts
from shoplab.eventbus.envelope import Event


def facts_for(session: Session, shop_id: str, data: dict[str, Any]) -> OrderFacts:
    facts = session.get(OrderFacts, (shop_id, data["order_id"]))
    if facts is None:
        facts = OrderFacts(
            shop_id=shop_id,
            order_id=data["order_id"],
            order_no=data["order_no"],
            customer_id=data["customer_id"],
            refunded_cents=0,
        )
        session.add(facts)
    return facts


def _earliest(current: datetime | None, new: datetime | None) -> datetime | None:
    return new if current is None or (new is not None and new < current) else current


def on_order_placed(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id or "", data)
    facts.buyer_name = data["buyer"]["name"]
    facts.buyer_language = data["buyer"]["language"]
    facts.currency = data["currency"]
    facts.total_cents = data["total"]  # the contract loads money as minor units
    facts.placed_at = data["placed_at"]
    if facts.lines:
        return  # the lines are known already
    for line_no, line in enumerate(data["lines"], start=1):
        facts.lines.append(
            OrderLineFacts(
                shop_id=facts.shop_id,
                order_id=facts.order_id,
                sku=line["sku"],
                line_no=line_no,
                product_id=line["product_id"],
                title=line["title"],
                quantity=line["quantity"],
            )
        )


def on_order_delivered(session: Session, event: Event) -> None:
    facts = facts_for(session, event.shop_id or "", event.payload)
    # a reshipped parcel delivered later does not move the windows: they opened with the first delivery
    facts.delivered_at = _earliest(facts.delivered_at, event.payload["delivered_at"])


def on_order_completed(session: Session, event: Event) -> None:
    facts = facts_for(session, event.shop_id or "", event.payload)
    facts.completed_at = _earliest(facts.completed_at, event.payload["completed_at"])


def on_order_cancelled(session: Session, event: Event) -> None:
    facts = facts_for(session, event.shop_id or "", event.payload)
    facts.cancelled_at = _earliest(facts.cancelled_at, event.payload["cancelled_at"])


def on_refund_completed(session: Session, event: Event) -> None:
    facts = facts_for(session, event.shop_id or "", event.payload)
    facts.refunded_cents = (facts.refunded_cents or 0) + event.payload["amount"]


def on_dispute_opened(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id or "", data)
    facts.disputed_at = _earliest(facts.disputed_at, data["opened_at"])
    facts.dispute_id = facts.dispute_id or data["dispute_id"]


def on_dispute_ruled(session: Session, event: Event) -> None:
    data = event.payload
    facts = facts_for(session, event.shop_id or "", data)
    # the ruling overtook the opening (or the opening was never seen): the order is disputed all the same
    facts.disputed_at = facts.disputed_at or data.get("escalated_at") or data["ruled_at"]
    facts.dispute_id = facts.dispute_id or data["dispute_id"]


def delivered_on(facts: OrderFacts) -> datetime | None:
    """When the review windows opened: the delivery, or the completion when ``order.completed`` came first."""
    return facts.delivered_at or facts.completed_at


def fully_refunded(facts: OrderFacts) -> bool:
    return facts.total_cents is not None and facts.total_cents > 0 and facts.refunded_cents >= facts.total_cents
