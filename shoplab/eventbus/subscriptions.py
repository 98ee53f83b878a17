"""Which service handles which event types: the one place to read the flow of events.

The relay sends each event to the queue of every service listed for its type. Every service's handler registry
must match its line here exactly (a test checks it), so a subscription without a handler cannot slip in.
"""

from __future__ import annotations

SHOP_COPY = frozenset({"shop.opened", "shop.clock_changed"})

SUBSCRIPTIONS: dict[str, frozenset[str]] = {
    "gateway": frozenset(),
    "orders": SHOP_COPY | {"dispute.ruled"},
    "tickets": SHOP_COPY
    | {
        "agent.joined",
        "agent.status_changed",
        "order.placed",
        "order.paid",
        "order.cancelled",
        "payment.reminder_due",
        "payment.reminder_sent",
        "order.shipped",
        "shipment.exception",
        "order.delivered",
        "refund.requested",
        "return.requested",
    },
    "reviews": SHOP_COPY,
    "crm": SHOP_COPY,
}


def subscribers_of(event_type: str) -> list[str]:
    return sorted(service for service, types in SUBSCRIPTIONS.items() if event_type in types)
