"""What the queue does with the reviews service's events: a neutral or negative review (中差评) opens one follow-up
task, and the task closes itself when there is nothing left to follow up.

- ``review.posted`` with ``needs_follow_up``: a ``review_follow_up`` task (one per review, ``source_ref
  "review_follow_up:<review_id>"``), routed to the after-sale team like any task; its first system message says who
  wrote what about which order (stars, scores, excerpt, sentiment, the mismatch flag) and until when the buyer may
  revise it. Its resolution target is the shop's like any task's: contacting the buyer is the work, and an agent
  who has done it sets the task pending on the buyer.
- Closed (``ticket.closed`` with the reason) when the review is revised **upward** (``review_revised``; whether it
  reached a better class is said), **removed** by the platform (``review_removed``), or its revision window closes
  unrevised (``revision_window_closed``).
- Revised **down** (or to the same stars): the buyer's one revision is spent and the review stands worse, so the
  task stays for a person — a public explanation (解释) or a removal request is what is left. A system message says
  so, and a follow-up the agent had already resolved opens again (the buyer spoke again, like a buyer writing to a
  resolved ticket).

Events may arrive in any order and more than once: what settles a review is kept (``review_facts``) whichever
comes first, so a posting that arrives after its revision, removal or closed window opens nothing, and a repeated
posting finds its task. The shop's context is built when a task opens or changes, at the moment it is handled.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from services.tickets import lifecycle, routing
from services.tickets.models import ReviewFacts, Ticket
from services.tickets.opening import open_ticket
from services.tickets.policy import context_and_policy
from services.tickets.system_events import (
    REVIEW_POSTED,
    REVIEW_REVISED_DOWN,
    TASK_CLOSED_REVIEW_REMOVED,
    TASK_CLOSED_REVISED_UP,
    TASK_CLOSED_WINDOW_PASSED,
    Line,
    moment,
)
from services.tickets.system_lines import add_line
from services.tickets.tasks import close_overtaken, task_for
from services.tickets.ticket_state import CLOSED, RESOLVED
from shoplab.eventbus.envelope import Event

KIND = "review_follow_up"


def _ref(review_id: str) -> str:
    return f"{KIND}:{review_id}"


def _facts(session: Session, event: Event) -> ReviewFacts:
    facts = session.get(ReviewFacts, (event.shop_id, event.payload["review_id"]))
    if facts is None:
        facts = ReviewFacts(shop_id=event.shop_id, review_id=event.payload["review_id"])
        session.add(facts)
    facts.updated_wall_at = event.occurred_at
    return facts


def describe_review(data: dict) -> Line:
    """The task's first system message: the buyer, the order, the stars and what they wrote."""
    scores = data["scores"]
    sentiment = data["sentiment"]
    item = data.get("line_title") or data["sku"]
    lines = [
        f"{data['rating']} review {data['stars']}★ by {data['buyer_name']} on order {data['order_no']}, "
        f"{item} ({data['sku']}):",
        f"“{data['text_excerpt']}”",
        f"scores: as described {scores['as_described']}, service {scores['service']}, "
        f"logistics {scores['logistics']}; text {sentiment['label']} ({sentiment['score']:+.2f})",
    ]
    if data.get("mismatch"):
        lines.append(f"stars and text disagree: {data['mismatch']}")
    if data.get("revise_by"):
        lines.append(f"the buyer may revise it once until {data['revise_by']:%Y-%m-%d %H:%M} (shop time)")
    lines.append(f"review {data['review_id']}")
    params = {
        "rating": data["rating"],
        "stars": data["stars"],
        "buyer_name": data["buyer_name"],
        "order_no": data["order_no"],
        "item": item,
        "sku": data["sku"],
        "excerpt": data["text_excerpt"],
        "as_described": scores["as_described"],
        "service": scores["service"],
        "logistics": scores["logistics"],
        "sentiment": sentiment["label"],
        "sentiment_score": f"{sentiment['score']:+.2f}",
        "mismatch": data.get("mismatch"),
        "revise_by": moment(data.get("revise_by")),
        "review_id": data["review_id"],
    }
    return Line("\n".join(lines), REVIEW_POSTED, params)


def _stars_change(data: dict) -> dict:
    return {name: data[name] for name in ("previous_stars", "previous_rating", "stars", "rating")}


def _change_text(data: dict) -> str:
    return f"{data['previous_stars']}★ {data['previous_rating']} → {data['stars']}★ {data['rating']}"


def revised_down(data: dict) -> Line:
    """A revision down (or to the same stars): what is left for a person to do."""
    change = _change_text(data)
    text = (
        f"the buyer revised the review {data['direction']}: {change}: “{data['text_excerpt']}”. It cannot be "
        "revised again: reply publicly (解释), or ask the platform to remove it if a rule applies, then resolve."
    )
    params = {"direction": data["direction"], **_stars_change(data), "excerpt": data["text_excerpt"]}
    return Line(text, REVIEW_REVISED_DOWN, params)


def on_review_posted(session: Session, event: Event) -> None:
    data = event.payload
    if not data["needs_follow_up"]:
        return
    facts = _facts(session, event)
    if facts.settled_reason is not None or task_for(session, event.shop_id, _ref(data["review_id"])) is not None:
        return  # overtaken before it arrived, or a repeat
    ctx, policy = context_and_policy(session, event.shop_id)
    if data.get("revise_by") is not None and data["revise_by"] <= ctx.shop_now:
        facts.settled_reason = "revision_window_closed"  # handled after its window: nothing left to follow up
        return
    ticket = open_ticket(
        session,
        ctx,
        policy,
        kind=KIND,
        channel="platform_message",
        language=data["buyer_language"],
        customer_id=data["customer_id"],
        buyer_name=data["buyer_name"],
        order_id=data["order_id"],
        order_no=data["order_no"],
        subject=f"中差评 {data['stars']}★ review follow-up",
        source=event.type,
        source_ref=_ref(data["review_id"]),
    )
    add_line(session, ctx, ticket, describe_review(data))
    if facts.revision_note:  # kept without params before codes existed: shown as its text
        params = json.loads(facts.revision_params) if facts.revision_params else {}
        add_line(session, ctx, ticket, Line(facts.revision_note, REVIEW_REVISED_DOWN if params else None, params))


def _settle(session: Session, event: Event, reason: str, note: Line | None = None) -> None:
    """The follow-up is over: remembered for a posting still on its way, and its task (if any) closed."""
    facts = _facts(session, event)
    facts.settled_reason = facts.settled_reason or reason
    ticket = task_for(session, event.shop_id, _ref(event.payload["review_id"]))
    if ticket is not None:
        close_overtaken(session, *context_and_policy(session, event.shop_id), [ticket], reason, note)


def on_review_revised(session: Session, event: Event) -> None:
    data = event.payload
    if data["direction"] == "up":
        recovered = "recovered" if data["recovered"] else "still " + data["rating"]
        text = f"revised up {_change_text(data)} ({recovered})"
        params = {**_stars_change(data), "recovered": data["recovered"]}
        _settle(session, event, "review_revised", Line(text, TASK_CLOSED_REVISED_UP, params))
        return
    note = revised_down(data)
    facts = _facts(session, event)
    ticket = task_for(session, event.shop_id, _ref(data["review_id"]))
    if ticket is None:
        facts.revision_note = note.text  # the posting is still on its way: its task will say so
        facts.revision_params = json.dumps(note.params, ensure_ascii=False)
    elif ticket.status != CLOSED:
        _tell_again(session, event, ticket, note)


def _tell_again(session: Session, event: Event, ticket: Ticket, note: Line) -> None:
    ctx, policy = context_and_policy(session, event.shop_id)
    add_line(session, ctx, ticket, note)
    if ticket.status == RESOLVED:
        lifecycle.reopen(session, ctx, policy, ticket)
        routing.wanted_again(session, ctx, policy, ticket)


def on_review_removed(session: Session, event: Event) -> None:
    rule = event.payload["rule"]
    note = Line(f"removed under the platform's rule {rule}", TASK_CLOSED_REVIEW_REMOVED, {"rule": rule})
    _settle(session, event, "review_removed", note)


def on_revision_window_closed(session: Session, event: Event) -> None:
    revise_by = event.payload["revise_by"]
    text = f"not revised by {revise_by:%Y-%m-%d %H:%M} (shop time)"
    note = Line(text, TASK_CLOSED_WINDOW_PASSED, {"revise_by": moment(revise_by)})
    _settle(session, event, "revision_window_closed", note)
