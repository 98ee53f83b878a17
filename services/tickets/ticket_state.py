"""The ticket's status machine and the shop-fenced way to load a ticket for a change.

new (no human reply yet) → open → pending (on the buyer; SLA paused) → resolved → closed. A buyer writing to a
resolved ticket reopens it; a closed ticket takes nothing more. Every action names the statuses it is allowed
from and where each leads; anything else is a 409 that carries the ticket's current status.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.models import Ticket
from shoplab.errors import Conflict, NotFound

NEW, OPEN, PENDING, RESOLVED, CLOSED = "new", "open", "pending", "resolved", "closed"
STATUSES = (NEW, OPEN, PENDING, RESOLVED, CLOSED)
HELD = (NEW, OPEN, PENDING)  # the statuses that occupy an agent (and that routing hands out)

# action -> {status it is allowed from: the status it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    "pend": {NEW: PENDING, OPEN: PENDING},
    "resume": {PENDING: OPEN},
    "resolve": {NEW: RESOLVED, OPEN: RESOLVED, PENDING: RESOLVED},
    "close": {NEW: CLOSED, OPEN: CLOSED, PENDING: CLOSED, RESOLVED: CLOSED},
    # a buyer's message: resumes a pending ticket, reopens a resolved one
    "buyer_writes": {NEW: NEW, OPEN: OPEN, PENDING: OPEN, RESOLVED: OPEN},
    # a human reply: the first one opens a new ticket; it changes nothing else
    "agent_replies": {NEW: OPEN, OPEN: OPEN, PENDING: PENDING, RESOLVED: RESOLVED},
}

# actions that do not move the ticket, and the statuses they are allowed in
ALLOWED_IN: dict[str, frozenset[str]] = {
    "rate": frozenset({RESOLVED, CLOSED}),
    "claim": frozenset(HELD),
    "assign": frozenset(HELD),
}

# the statuses an agent may set (``POST .../status``), and the action that gets there
SET_BY_AGENT: dict[str, str] = {PENDING: "pend", OPEN: "resume", RESOLVED: "resolve", CLOSED: "close"}

# What a refusal says, per action: (message, field, reason); ``{status}`` is the ticket's, ``{target}`` the one
# asked for. The wording is the API's since the first version: clients show it.
_REFUSALS: dict[str, tuple[str, str, str]] = {
    "buyer_writes": ("the conversation is closed; the buyer opens a new one", "ticket_id", "ticket is {status}"),
    "agent_replies": ("the ticket is closed", "ticket_id", "ticket is {status}; no reply can be sent"),
    "rate": ("only a resolved conversation can be rated", "ticket_id", "ticket is {status}"),
    "claim": ("ticket is {status}", "ticket_id", "ticket is {status}"),
    "assign": ("ticket is {status}", "ticket_id", "ticket is {status}"),
}
_STATUS_REFUSAL = ("a {status} ticket cannot become {target}", "status", "not allowed from {status}")
_TARGET_OF = {action: status for status, action in SET_BY_AGENT.items()}


def next_status(ticket: Ticket, action: str) -> str:
    """The status ``action`` leads to from the ticket's status, or a 409 naming the current status."""
    target = TRANSITIONS[action].get(ticket.status)
    if target is None:
        raise _refusal(ticket, action)
    return target


def require_status(ticket: Ticket, action: str) -> None:
    if ticket.status not in ALLOWED_IN[action]:
        raise _refusal(ticket, action)


def _refusal(ticket: Ticket, action: str) -> Conflict:
    status, target = ticket.status, _TARGET_OF.get(action, "")
    message, field, reason = _REFUSALS.get(action, _STATUS_REFUSAL)
    details: dict[str, object] = {"current_status": status}
    if status == CLOSED and action in ("buyer_writes", "agent_replies"):
        details["status"] = CLOSED  # the field these two refusals always carried
    return Conflict(
        message.format(status=status, target=target),
        {field: [reason.format(status=status, target=target)]},
        **details,
    )


def load_ticket(session: Session, shop_id: str, ticket_id: str, *, lock: bool = False) -> Ticket:
    """The ticket of this shop (404 for another shop's ticket). ``lock`` takes the row lock on PostgreSQL so two
    changes of one ticket queue up; SQLite writers are already serialised by BEGIN IMMEDIATE."""
    stmt = select(Ticket).where(Ticket.shop_id == shop_id, Ticket.id == ticket_id)
    if lock:
        stmt = stmt.with_for_update()
    ticket = session.scalar(stmt)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id} in shop {shop_id}", {"ticket_id": ["unknown ticket"]})
    return ticket
