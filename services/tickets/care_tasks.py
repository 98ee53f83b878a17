"""Care items (客户关怀) from crm's ``care.task_due``: a holiday greeting, a follow-up after delivery, a win-back.

- **One queue item per care task** (kind ``care``, ``source_ref "care:<task_id>"``), in the pre-sale group, on
  the channel crm names (one the queue has; otherwise a platform message). A repeated event finds its item.
- **The suggested reply**: crm renders the message from the shop's template in the customer's language; it is kept
  on the item as a ``suggestion`` message (author ``system``), never sent. The student sends the reply themselves —
  that text or their own — through the ordinary reply, checked against the platform's rules like any reply: a
  greeting sent by nobody must not count as the shop's care, and a student must be able to make it personal. A
  system message before it says what the item is for (kind, the customer's local time, expiry, grade, segment).
- **Not routed**: care items wait to be claimed (``routing.WAIT_FOR_CLAIM``), and run no resolution target
  (``opening.UNTIMED_KINDS``): outreach is done in quiet moments and must not push buyers' questions back.
- **Expiry**: an item whose ``expires_at`` (shop time) passes without a human reply closes itself with the reason
  ``expired`` (the timer ``tickets.close_expired_tasks``); an item already answered is left to its agent (the buyer
  may be answering). One arriving after its expiry (a backed-up queue) opens nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from services.tickets.messages import CHANNELS
from services.tickets.models import Ticket
from services.tickets.opening import open_ticket
from services.tickets.policy import context_and_policy, policy_for
from services.tickets.system_events import CARE_TASK, Line, moment
from services.tickets.system_lines import add_line, add_suggestion
from services.tickets.tasks import close_overtaken, task_for
from services.tickets.ticket_state import HELD
from shoplab.eventbus.envelope import Event
from shoplab.shops.context import ShopContext

KIND = "care"
SUBJECT_MAX = 200  # the ticket's subject column


def describe_care(data: dict) -> Line:
    """The item's first system message: what the care task is and until when it makes sense."""
    who = data.get("customer_name") or data["customer_id"]
    lines = [f"care task ({data['kind']}) for {who}: send the suggested message below, as it is or in your words"]
    lines.append(f"due {data['local_time']} the customer's time ({data.get('timezone') or 'time zone unknown'})")
    if data.get("expires_at"):
        lines.append(f"closes itself unanswered at {data['expires_at']:%Y-%m-%d %H:%M} (shop time)")
    profile = [f"{name} {data[name]}" for name in ("grade", "segment", "country") if data.get(name)]
    if profile:
        lines.append(", ".join(profile))
    params = {
        "kind": data["kind"],
        "who": who,
        "local_time": data["local_time"],
        "timezone": data.get("timezone"),
        "expires_at": moment(data.get("expires_at")),
        **{name: data.get(name) for name in ("grade", "segment", "country")},
    }
    return Line("\n".join(lines), CARE_TASK, params)


def on_care_task_due(session: Session, event: Event) -> None:
    data = event.payload
    source_ref = f"{KIND}:{data['task_id']}"
    if task_for(session, event.shop_id, source_ref) is not None:
        return  # a repeat
    ctx, policy = context_and_policy(session, event.shop_id)
    if data.get("expires_at") is not None and data["expires_at"] <= ctx.shop_now:
        return  # it waited past its moment: nothing stale enters the queue
    ticket = open_ticket(
        session,
        ctx,
        policy,
        kind=KIND,
        channel=data["channel"] if data["channel"] in CHANNELS else "platform_message",
        language=data["language"],
        customer_id=data["customer_id"],
        buyer_name=data.get("customer_name"),
        order_id=data.get("order_id"),
        order_no=data.get("order_no"),
        subject=data["subject"][:SUBJECT_MAX],
        source=event.type,
        source_ref=source_ref,
    )
    ticket.expires_at = data.get("expires_at")
    add_line(session, ctx, ticket, describe_care(data))
    add_suggestion(session, ctx, ticket, data["body"])


def _expired(ctx: ShopContext) -> list[ColumnElement[bool]]:
    """Tasks past their expiry at the shop's now that no person has answered (``served_by`` is set by a reply)."""
    return [
        Ticket.shop_id == ctx.id,
        Ticket.expires_at <= ctx.shop_now,
        Ticket.status.in_(HELD),
        Ticket.served_by.is_(None),
    ]


def expiries_due(ctx: ShopContext) -> ColumnElement[bool]:
    """The timer's cheap probe."""
    return exists().where(*_expired(ctx))


def close_expired(session: Session, ctx: ShopContext) -> int:
    """The timer's pass over one shop: unanswered tasks past their expiry close with the reason ``expired``."""
    tickets = session.scalars(select(Ticket).where(*_expired(ctx)).with_for_update()).all()
    if not tickets:
        return 0
    return close_overtaken(session, ctx, policy_for(session, ctx), tickets, "expired")
