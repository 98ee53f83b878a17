"""The queue as an agent works it, in one call: the shop's active tickets (or those of a status), narrowed to a tab
(mine, unassigned, all) and kinds, with the counts of every tab, longest-waiting buyer first; each row with its
order's state, its last message, since when its buyer has waited (wall clock) and its SLA due times (shop clock);
and what a client needs to count down: the shop's clock, the response targets in force, and whether the shop is a
chat shop (the 100-second rule).

The tickets service lists tickets without their messages; a row's last message and waiting time are read from the
ticket itself and kept in this process by the ticket's ``updated_at`` (every message, note or status change moves
it), so a refresh asks again only for the tickets that changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import quote

from gateway.joined import Answers, Ask, Deadline, ask_all
from gateway.recent_answers import RecentAnswers
from shoplab.shops.profiles import load_profile

TABS = ("mine", "unassigned", "all")
STATUSES = ("active", "new", "open", "pending", "resolved", "closed")
LIST_LIMIT = 500
RECENT_ORDERS = 200  # one call gives the states of the shop's latest orders; older ones are asked one by one
MAX_ORDER_ASKS = 50
MAX_DETAIL_ASKS = 80
EXCERPT = 120
QIANNIU_SECONDS = 100  # 千牛: a chat unanswered this long (wall seconds) is flagged, whatever the shop's target


class _Facts:
    """(shop, ticket, updated_at) → the row's last message and waiting time; bounded, least recently used out."""

    def __init__(self, size: int = 20_000) -> None:
        self._items: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: tuple) -> dict | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: dict) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


FACTS = _Facts()
_TARGETS = RecentAnswers(seconds=60)  # an instructor's new targets show in the countdowns within a minute
_STATES = RecentAnswers(seconds=30)  # shop -> {order id: state}, for ``orders_unchanged`` refreshes


def is_chat_shop(platform: str) -> bool:
    """Chat shops are the domestic marketplaces (Taobao-style: buyers chat in 旺旺/千牛 and expect an answer in
    minutes); cross-border marketplaces answer platform messages within hours."""
    return load_profile(platform).get("market") == "domestic"


def targets_of(shop_id: str, platform: str) -> dict[str, int]:
    """The response targets in force (the profile's, or the instructor's scenario), kept a minute."""

    def ask() -> dict | None:
        deadline = Deadline()
        answers = ask_all(shop_id, {"settings": Ask("tickets", "/queue-settings")}, deadline, deadline.first_step)
        return (answers.bodies.get("settings") or {}).get("targets")

    return _TARGETS.get(shop_id, ask, keep=bool) or load_profile(platform)["response_targets"]


def queue(
    shop_id: str,
    agent_id: str | None,
    clock: dict[str, Any],
    platform: str,
    *,
    tab: str | None = None,
    kinds: list[str] | None = None,
    status: str = "active",
    orders_unchanged: bool = False,
) -> dict:
    """The queue view (``agent_id``: the signed-in student; None for an instructor). ``tab`` None keeps the first
    version's answer: a student's own tickets and the unassigned ones, an instructor's every one.
    ``orders_unchanged``: the caller knows no order changed since it last asked (a page refreshing for a message),
    so the order states this process read in the last half minute may serve again."""
    deadline = Deadline()
    params: dict[str, Any] = {"status": status, "limit": LIST_LIMIT}
    if kinds:
        params["kind"] = list(kinds)
    first = ask_all(shop_id, {"tickets": Ask("tickets", "/tickets", params)}, deadline, deadline.first_step)
    every = (first.bodies.get("tickets") or {}).get("items", [])
    unavailable = {"tickets": first.unavailable["tickets"]} if "tickets" in first.unavailable else {}
    counts = {
        "mine": sum(1 for t in every if agent_id and t.get("assignee_id") == agent_id),
        "unassigned": sum(1 for t in every if not t.get("assignee_id")),
        "all": len(every),
    }
    items = [t for t in every if _in_tab(t, tab, agent_id)]
    more = _rows(shop_id, items, deadline, orders_unchanged)
    unavailable.update(more)
    items.sort(key=_waited_longest)
    return {
        "shop_now": clock["shop_now"],
        "clock": clock,
        "targets": targets_of(shop_id, platform),
        "chat_shop": is_chat_shop(platform),
        "qianniu_seconds": QIANNIU_SECONDS,
        "tab": tab,
        "counts": counts,
        "items": items,
        "unavailable": unavailable,
    }


def _in_tab(ticket: dict, tab: str | None, agent_id: str | None) -> bool:
    holder = ticket.get("assignee_id")
    if tab == "all" or (tab is None and agent_id is None):
        return True
    if tab == "unassigned":
        return holder is None
    if tab == "mine":
        return agent_id is not None and holder == agent_id
    return holder is None or holder == agent_id  # a student's first-version queue


def _rows(shop_id: str, items: list[dict], deadline: Deadline, orders_unchanged: bool) -> dict[str, str]:
    """Each row's order state, last message and waiting time (in place); the parts that did not answer."""
    asks: dict[str, Ask] = {}
    order_ids = sorted({t["order_id"] for t in items if t.get("order_id")})
    kept = _STATES.peek(shop_id) if orders_unchanged else None
    if kept is not None and all(oid in kept for oid in order_ids):
        order_ids, known = [], kept
    else:
        known = {}
    if order_ids:
        asks["recent"] = Ask("orders", "/orders", {"limit": RECENT_ORDERS})
    missing_facts = [t for t in items if FACTS.get(_key(shop_id, t)) is None][:MAX_DETAIL_ASKS]
    for ticket in missing_facts:
        asks[f"t:{ticket['id']}"] = Ask("tickets", f"/tickets/{quote(ticket['id'], safe='')}")
    answers = ask_all(shop_id, asks, deadline, deadline.left() * 0.6)
    states = {**known, **{o["id"]: o.get("state") for o in answers.bodies.get("recent") or []}}
    older = [oid for oid in order_ids if oid not in states][:MAX_ORDER_ASKS]
    if older and "recent" in answers.bodies:
        more = ask_all(shop_id, {oid: Ask("orders", f"/orders/{quote(oid, safe='')}") for oid in older}, deadline)
        states.update({oid: body.get("state") for oid, body in more.bodies.items()})
        answers.unavailable.update(more.unavailable)
    if order_ids and not answers.unavailable:
        _STATES.put(shop_id, states)
    for ticket in missing_facts:
        detail = answers.bodies.get(f"t:{ticket['id']}")
        if detail is not None:
            FACTS.put(_key(shop_id, ticket), facts_of(detail))
    for ticket in items:
        ticket["order_state"] = states.get(ticket.get("order_id") or "")
        ticket.update(FACTS.get(_key(shop_id, ticket)) or {"last_message": None, "waiting_since": None})
    return _unavailable_services(answers)


def _unavailable_services(answers: Answers) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, reason in answers.unavailable.items():
        service = "tickets" if name.startswith("t:") else "orders"
        found.setdefault(service, reason)
    return found


def _key(shop_id: str, ticket: dict) -> tuple:
    return shop_id, ticket["id"], ticket.get("updated_at")


def facts_of(detail: dict) -> dict[str, Any]:
    """A ticket's last message people wrote (or the system's last word) and since when its buyer has waited."""
    messages = detail.get("messages") or []
    spoken = [m for m in messages if m.get("kind") in ("message", "auto_reply")] or messages
    last = spoken[-1] if spoken else None
    rounds = detail.get("rounds") or []
    waiting = None
    if detail.get("awaiting_reply") and rounds and rounds[-1].get("replied_at") is None:
        waiting = rounds[-1].get("started_at")
    return {
        "last_message": {
            "author": last["author"],
            "kind": last["kind"],
            "body": excerpt(last.get("body") or ""),
            "created_at": last.get("created_at"),
            # a system event's code and params: the page words it in its language (gateway/web/system_events.py)
            "code": last.get("code"),
            "params": last.get("params"),
        }
        if last
        else None,
        "waiting_since": waiting,
    }


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _waited_longest(item: dict) -> tuple:
    """Buyers waiting for an answer first, the longest-waiting first (Chatwoot's "pending response: longest
    first"); then the rest by their nearest due time."""
    if item.get("waiting_since") and item.get("status") != "pending":
        return (0, item["waiting_since"], item.get("opened_at") or "")
    sla = item.get("sla") or {}
    due = [value for value in (sla.get("first_response_due"), sla.get("next_response_due")) if value]
    return (1, min(due) if due else "9999", item.get("opened_at") or "")
