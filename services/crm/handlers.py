"""The events the crm service handles: one line per subscribed event type, matching its topology entry.

Every handler but the shop copy's runs in the shop's context at the event's moment (``wall_now`` = the event's
``occurred_at``), so what it stamps is when the fact happened, not when the worker got to it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from services.crm import order_facts, service_facts
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.shops import replica
from shoplab.shops.context import ShopContext, shop_context

FactRule = Callable[[Session, ShopContext, Event], None]


def in_shop(rule: FactRule) -> Handler:
    def handle(session: Session, event: Event) -> None:
        rule(session, shop_context(session, event.shop_id or "", wall_now=event.occurred_at), event)

    handle.__name__ = handle.__qualname__ = f"handle_{rule.__name__}"
    handle.__doc__ = rule.__doc__
    return handle


HANDLERS: dict[str, Handler] = {
    "shop.opened": replica.on_shop_opened,
    "shop.clock_changed": replica.on_shop_clock_changed,
    "order.placed": in_shop(order_facts.on_placed),
    "order.paid": in_shop(order_facts.on_paid),
    "order.cancelled": in_shop(order_facts.on_cancelled),
    "order.delivered": in_shop(order_facts.on_delivered),
    "order.completed": in_shop(order_facts.on_completed),
    "refund.completed": in_shop(order_facts.on_refund_completed),
    "return.received": in_shop(order_facts.on_return),
    "return.refunded": in_shop(order_facts.on_return),
    "ticket.opened": in_shop(service_facts.on_ticket_opened),
    "csat.rated": in_shop(service_facts.on_csat_rated),
    "dispute.opened": in_shop(service_facts.on_dispute_opened),
    "dispute.ruled": in_shop(service_facts.on_dispute_ruled),
    "review.posted": in_shop(service_facts.on_review),
    "review.revised": in_shop(service_facts.on_review),
}
