"""The student's workbench (接待中心), three panes as agents know them: the queue, the conversation, and the order and
customer panel beside it. An instructor opens the same page to observe a shop (read-only).

The page and its fragments (the queue, a conversation, its live part) are rendered from the public API's joined
views, called in-process (``gateway/queue_view.py``, ``gateway/joined.py``) and from forwarded routes
(``public_api.staff_call``); every action on the page is a call of the public JSON API from the browser
(``static/actions.js``), so the page can do nothing the API would refuse.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, make_response, render_template, request
from werkzeug.datastructures import MultiDict

from gateway import joined, queue_view
from gateway.handlers import HANDLERS
from gateway.models import Shop
from gateway.public_api import staff_call
from gateway.recent_answers import RecentAnswers
from gateway.shop_views import clock_of
from gateway.shops import clock_history
from gateway.web import timeline
from gateway.web.labels import LABELS
from gateway.web.language import gettext as _
from gateway.web.page_access import page, shop_of_page
from gateway.web.panel import panel_context
from shoplab.errors import ShopLabError
from shoplab.plumbing.web import db

workbench_pages = Blueprint("web_workbench", __name__)
LIVE_EVENTS = sorted(HANDLERS) + ["shop.clock_changed"]
MESSAGE_ID_MAX = 2**31 - 1  # the tickets service's bound on ids: beyond it the page gets the whole conversation


def queue_filters(args: MultiDict, who) -> dict[str, Any]:
    tab = args.get("tab") or ("mine" if who.is_student else "all")
    if tab not in queue_view.TABS or (tab == "mine" and not who.is_student):
        tab = "all"
    status = args.get("status") or "active"
    if status not in queue_view.STATUSES:
        status = "active"
    kind = args.get("kind") or ""
    if kind not in LABELS["kind"]:
        kind = ""
    return {"tab": tab, "status": status, "kind": kind}


def load_queue(shop: Shop, who, filters: dict[str, Any], orders_unchanged: bool = False) -> dict:
    return queue_view.queue(
        shop.id,
        who.user_id if who.is_student else None,
        clock_of(shop),
        shop.platform,
        tab=filters["tab"],
        kinds=[filters["kind"]] if filters["kind"] else None,
        status=filters["status"],
        orders_unchanged=orders_unchanged,
    )


ROSTERS = RecentAnswers(seconds=3)  # names and statuses: asked on every refresh, they change when people switch


def roster(shop: Shop, who, fresh: bool = False) -> list[dict]:
    """The shop's agents with their status (for the online switch and transfers); empty when tickets is away.
    ``fresh``: asked now (a whole page shows the person's own status), else kept a few seconds."""

    def ask() -> list[dict] | None:
        try:
            answer = staff_call(who, shop.id, "GET", "/agents")
        except ShopLabError:
            return None
        return answer.json() if answer.ok else None

    if fresh:
        ROSTERS.forget(shop.id)
    return ROSTERS.get(shop.id, ask, keep=lambda found: found is not None) or []


PHRASES = RecentAnswers(seconds=10)  # a phrase saved on this page joins its composer at once, others' within 10 s


def phrases(shop: Shop, who) -> list[dict]:
    def ask() -> list[dict] | None:
        try:
            answer = staff_call(who, shop.id, "GET", "/phrases")
        except ShopLabError:
            return None
        return answer.json() if answer.ok else None

    return PHRASES.get(shop.id, ask, keep=lambda found: found is not None) or []


@workbench_pages.route("/desk/<shop_id>")
@page
def workbench(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    who = g.who
    filters = queue_filters(request.args, who)
    ticket_id = request.args.get("ticket") or None
    jobs = {
        "queue": lambda: load_queue(shop, who, filters),
        "agents": lambda: roster(shop, who, fresh=True),
        "phrases": lambda: phrases(shop, who) if who.is_student else [],
    }
    if ticket_id:
        jobs["conversation"] = lambda: joined.conversation(shop_id, ticket_id)
    parts = joined.run_all(jobs)
    conversation = None
    if ticket_id:
        view, status = parts["conversation"]
        if status == 404:
            abort(404)
        if view["ticket"] is not None:
            conversation = conversation_context(shop, view, parts["agents"], parts["queue"]["targets"])
    me = next((a for a in parts["agents"] if a["agent_id"] == who.user_id), None)
    return render_template(
        "workbench.html",
        shop=shop,
        filters=filters,
        queue=parts["queue"],
        conversation=conversation,
        agents=parts["agents"],
        me=me,
        phrases=parts["phrases"],
        live_events=LIVE_EVENTS,
        can_act=who.is_student,
    )


@workbench_pages.route("/desk/<shop_id>/queue")
@page
def queue_fragment(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    filters = queue_filters(request.args, g.who)
    queue = load_queue(shop, g.who, filters, orders_unchanged=message_only())
    return render_template("_queue.html", shop=shop, filters=filters, queue=queue)


def message_only() -> bool:
    """The page refreshes because of a message or a ticket's step, not an order's (``cause=message``, set by the
    page's script from the live event's type): what it read of the orders a moment ago still holds."""
    return request.args.get("cause") == "message"


@workbench_pages.route("/desk/<shop_id>/tickets/<ticket_id>")
@page
def conversation_fragment(shop_id: str, ticket_id: str) -> Response:
    """The conversation pane of one ticket (with its composer) and, out of band, the panel beside it; ``live=1``:
    only what changes (messages, header, panel), so a reply being typed is never swept away."""
    shop = shop_of_page(shop_id)
    who, live, unchanged = g.who, bool(request.args.get("live")), message_only()
    after = messages_shown() if live and unchanged else None
    parts = joined.run_all(
        {
            "conversation": lambda: joined.conversation(shop_id, ticket_id, order_unchanged=unchanged, after=after),
            "agents": lambda: roster(shop, who),
            "phrases": lambda: phrases(shop, who) if who.is_student and not live else [],
            "targets": lambda: queue_view.targets_of(shop.id, shop.platform),
        }
    )
    view, status = parts["conversation"]
    if status == 404:
        abort(404)
    if view["ticket"] is None:  # the tickets service did not answer in time: the page asks again at the next event
        return error_page(503, _("The conversation could not be read just now; it refreshes by itself."))
    template = "_conversation_live.html" if live else "_conversation.html"
    context = conversation_context(shop, view, parts["agents"], parts["targets"], new_only=after is not None)
    page_part = render_template(
        template,
        shop=shop,
        conversation=context,
        agents=parts["agents"],
        phrases=parts["phrases"],
        can_act=g.who.is_student,
        oob=True,
    )
    answer = make_response(page_part)
    if after is not None:
        answer.headers["HX-Reswap"] = "none"  # only the out-of-band parts: new messages appended, header and panel
    return answer


def messages_shown() -> int | None:
    """The last message the page shows (``after``, sent by the page's script with a message's refresh): only the
    messages after it are asked and sent, the rest of the conversation stays as it is on the page."""
    try:
        after = int(request.args.get("after", ""))
    except ValueError:
        return None
    return after if 0 <= after <= MESSAGE_ID_MAX else None


def conversation_context(
    shop: Shop, view: dict, agents: list[dict], response_targets: dict, new_only: bool = False
) -> dict[str, Any]:
    """What the conversation's templates show; ``new_only``: the view holds only the messages the page lacks, and the
    order's events, unchanged, are on the page already."""
    names = {a["agent_id"]: a.get("display_name") or a["agent_id"] for a in agents}
    ticket = view["ticket"]
    entries = timeline.build(view, [] if new_only else clock_history_of(shop.id), names)
    return {
        "new_only": new_only,
        "ticket": ticket,
        "view": view,
        "entries": [e for e in entries if e.kind != "business"] if new_only else entries,
        "panel": panel_context(shop, view),
        "clock": clock_of(shop),
        "targets": response_targets,
        "holder": names.get(ticket.get("assignee_id") or "", ticket.get("assignee_id")),
        "mine": ticket.get("assignee_id") == g.who.user_id,
        "placeholders": placeholder_values(ticket, view),
        "colleagues": [a for a in agents if a["agent_id"] != g.who.user_id and a.get("status") == "online"],
    }


def clock_history_of(shop_id: str) -> list:
    with db().reading() as reading:
        return clock_history(reading, shop_id)


def placeholder_values(ticket: dict, view: dict) -> dict[str, str]:
    """What the quick phrases' {placeholders} become on this ticket, as the tickets service fills them (its own
    copy of the order's facts), for the composer's preview."""
    facts = ticket.get("order") or {}
    amount = f"{facts['amount']} {facts.get('currency') or ''}".strip() if facts.get("amount") else ""
    values = {
        "buyer_name": ticket.get("buyer_name") or "",
        "order_no": ticket.get("order_no") or facts.get("order_no") or "",
        "tracking_no": facts.get("tracking_no") or "",
        "carrier": facts.get("carrier") or "",
        "amount": amount,
    }
    return {name: value for name, value in values.items() if value}


@workbench_pages.errorhandler(ShopLabError)
def _refused(exc: ShopLabError):
    return error_page(exc.status, exc.message)


@workbench_pages.errorhandler(404)
def _not_found(_exc):
    return error_page(404, "")


def error_page(status: int, message: str) -> Response:
    template = "_error.html" if request.headers.get("HX-Request") else "error.html"
    return make_response(render_template(template, status=status, message=message), status)
