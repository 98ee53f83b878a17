"""What the world writes into a conversation, for the agent's eyes only: system events (an order paid, a parcel held
at customs, a dispute ruled) and suggested replies (a care item's rendered greeting).

A system event is always written from a :class:`~services.tickets.system_events.Line`: its code and params say the
same as the English text as data, so the workbench shows the line in the page's language. A suggestion is already
in the buyer's language, so it has no code.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from services.tickets.messages import new_message
from services.tickets.models import Message, Ticket
from services.tickets.system_events import CODES, Line
from shoplab.shops.context import ShopContext


def add_line(session: Session, ctx: ShopContext, ticket: Ticket, line: Line) -> Message:
    """A system event: what the world told the ticket, never shown to the buyer."""
    if line.code not in CODES:  # None too: the workbench could not say the line in Chinese
        raise ValueError(f"unknown system event code {line.code!r}")
    params = json.dumps(line.params, ensure_ascii=False)
    return _add(session, ctx, ticket, new_message(ctx, ticket, "system", "event", line.text, event_code=line.code,
                                                  event_params=params))  # fmt: skip


def add_suggestion(session: Session, ctx: ShopContext, ticket: Ticket, text: str) -> Message:
    """A reply the world suggests, which the agent may send as it is or edit: not sent, it answers nothing."""
    return _add(session, ctx, ticket, new_message(ctx, ticket, "system", "suggestion", text))


def _add(session: Session, ctx: ShopContext, ticket: Ticket, message: Message) -> Message:
    session.add(message)
    ticket.updated_wall_at = ctx.wall_now
    session.flush()
    return message
