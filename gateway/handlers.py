"""The events the gateway's worker handles: each one rings the shop's live doorbell (``gateway/live.py``), so signed-in
clients of that shop look again; and ``injection.skipped`` marks an instructor's injection record. The registry
matches the gateway's line in ``shoplab/topology.py``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway import injections, live
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event

# what a notification carries besides its type: ids to fetch, and the few words a client sorts by
_CARRIED = ("kind", "status", "state", "outcome", "order_no", "reason", "target", "author", "tag", "segment", "rating")


def notify_clients(session: Session, event: Event) -> None:
    """A duplicate delivery is stopped by the inbox; a notification sent before a failed commit only costs a client
    one needless look (the event is retried and notifies again)."""
    if event.shop_id is None:
        return
    live.notify(live.redis_client(), event.shop_id, event.type, carried_ids(event.payload), event.occurred_at)


def on_injection_skipped(session: Session, event: Event) -> None:
    """The owner found no order for an injection: its record says so. No doorbell: the shop's live stream is the
    students', and an injection is the instructor's to know about (students get 403 on the records)."""
    injections.mark_skipped(session, event.payload)


def carried_ids(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in payload.items()
        if (key.endswith("_id") or key in _CARRIED) and isinstance(value, str | int | bool | type(None))
    }


HANDLERS: dict[str, Handler] = {
    "ticket.opened": notify_clients,
    "ticket.assigned": notify_clients,
    "ticket.status_changed": notify_clients,
    "ticket.resolved": notify_clients,
    "ticket.closed": notify_clients,
    "ticket.sla_breached": notify_clients,
    "message.received": notify_clients,
    "message.replied": notify_clients,
    "csat.rated": notify_clients,
    "dispute.opened": notify_clients,
    "dispute.proposed": notify_clients,
    "dispute.escalated": notify_clients,
    "dispute.ruled": notify_clients,
    "order.placed": notify_clients,
    "order.paid": notify_clients,
    "order.payment_failed": notify_clients,
    "order.cancelled": notify_clients,
    "order.address_changed": notify_clients,
    "order.shipped": notify_clients,
    "order.reshipped": notify_clients,
    "order.delivered": notify_clients,
    "order.completed": notify_clients,
    "payment.reminder_due": notify_clients,
    "payment.reminder_sent": notify_clients,
    "payment.reminder_noted": notify_clients,
    "shipment.exception": notify_clients,
    "refund.requested": notify_clients,
    "refund.approved": notify_clients,
    "refund.rejected": notify_clients,
    "refund.completed": notify_clients,
    "return.requested": notify_clients,
    "return.approved": notify_clients,
    "return.shipped": notify_clients,
    "return.received": notify_clients,
    "return.rejected": notify_clients,
    "return.refunded": notify_clients,
    "return.exchanged": notify_clients,
    # reviews and customers (the Reviews, Customers and Care pages; the conversation's side panel)
    "review.posted": notify_clients,
    "review.revised": notify_clients,
    "review.replied": notify_clients,
    "review.removed": notify_clients,
    "review.revision_window_closed": notify_clients,
    "customer.tagged": notify_clients,
    "customer.untagged": notify_clients,
    "customer.segment_changed": notify_clients,
    "customer.segments_refreshed": notify_clients,
    "customer.grade_changed": notify_clients,
    "customer.blacklisted": notify_clients,
    "customer.blacklist_lifted": notify_clients,
    "care.task_due": notify_clients,
    "injection.skipped": on_injection_skipped,
}
