"""Publishing the tickets service's events: each carries the ticket's reference (contracts in shoplab.contracts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.tickets.models import Ticket
from shoplab.eventbus.outbox import publish


def ticket_ref(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "kind": ticket.kind,
        "group": ticket.grp,
        "customer_id": ticket.customer_id,
        "order_id": ticket.order_id,
        "order_no": ticket.order_no,
    }


def publish_ticket_event(session: Session, event_type: str, ticket: Ticket, **payload: Any) -> None:
    publish(session, event_type, shop_id=ticket.shop_id, payload={**ticket_ref(ticket), **payload})
