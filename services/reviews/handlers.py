"""The events the reviews service handles: one line per event type, matching its entry in ``shoplab/topology.py``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.reviews import injections, order_facts
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.shops import replica
from shoplab.shops.context import shop_context


def on_one_star_review_injected(session: Session, event: Event) -> None:
    injections.inject_one_star_review(session, shop_context(session, event.shop_id or ""), event.payload)


HANDLERS: dict[str, Handler] = {
    "shop.opened": replica.on_shop_opened,
    "shop.clock_changed": replica.on_shop_clock_changed,
    "order.placed": order_facts.on_order_placed,
    "order.delivered": order_facts.on_order_delivered,
    "order.completed": order_facts.on_order_completed,
    "order.cancelled": order_facts.on_order_cancelled,
    "refund.completed": order_facts.on_refund_completed,
    "dispute.opened": order_facts.on_dispute_opened,
    "dispute.ruled": order_facts.on_dispute_ruled,
    "injection.one_star_review": on_one_star_review_injected,
}
