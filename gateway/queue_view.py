"""The queue as an agent works it, in one call: the shop's active tickets (or those of a status), narrowed to a tab
(mine, unassigned, all) and kinds, with the counts of every tab, longest-waiting buyer first; each row with its
order's state, its last message, since when its buyer has waited (wall clock) and its SLA due times (shop clock);
and what a client needs to count down: the shop's clock, the response targets in force, and whether the shop is a
chat shop (the 100-second rule).

The tickets service answers the tab's rows with their last message and waiting time and the tabs' counts in one
call (``GET /queue``, its ``queue_rows.py``): a refresh for a live event costs one call there, whatever changed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gateway.joined import Ask, Deadline, ask_all
from gateway.recent_answers import RecentAnswers
from shoplab.shops.profiles import load_profile

TABS = ("mine", "unassigned", "all")
STATUSES = ("active", "new", "open", "pending", "resolved", "closed")
LIST_LIMIT = 500
RECENT_ORDERS = 200  # one call gives the states of the shop's latest orders; older ones are asked one by one
MAX_ORDER_ASKS = 50
EXCERPT = 120
QIANNIU_SECONDS = 100  # 千牛: a chat unanswered this long (wall seconds) is flagged, whatever the shop's target


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
    params: dict[str, Any] = {"status": status, "limit": LIST_LIMIT, "tab": _service_tab(tab, agent_id)}
    if agent_id:
        params["agent"] = agent_id
    if kinds:
        params["kind"] = list(kinds)
    first = ask_all(shop_id, {"queue": Ask("tickets", "/queue", params)}, deadline, deadline.first_step)
    body = first.bodies.get("queue") or {}
    unavailable = {"tickets": first.unavailable["queue"]} if "queue" in first.unavailable else {}
    counts = {"mine": 0, "unassigned": 0, "all": 0, **(body.get("counts") or {})}
    items = [quoted_row(t) for t in body.get("items", [])]
    unavailable.update(_order_states(shop_id, items, deadline, orders_unchanged))
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


def _service_tab(tab: str | None, agent_id: str | None) -> str:
    """The tickets service's tab: without one, a student's own tickets and the unassigned ones (the first version's
    answer), an instructor's every one."""
    if tab in ("mine", "unassigned", "all"):
        return tab
    return "mine_or_unassigned" if agent_id else "all"


def quoted_row(ticket: dict) -> dict:
    """A row as the page and the API show it: the last message quoted in a line (its code and params kept, so the
    page words a system event in its own language)."""
    last = ticket.pop("last_message", None)
    ticket["last_message"] = (
        {
            "author": last["author"],
            "kind": last["kind"],
            "body": excerpt(last.get("body") or ""),
            "created_at": last.get("created_at"),
            "code": last.get("code"),
            "params": last.get("params"),
        }
        if last
        else None
    )
    ticket.setdefault("waiting_since", None)
    return ticket


def _order_states(shop_id: str, items: list[dict], deadline: Deadline, orders_unchanged: bool) -> dict[str, str]:
    """Each row's order state (in place); the parts that did not answer."""
    order_ids = sorted({t["order_id"] for t in items if t.get("order_id")})
    kept = _STATES.peek(shop_id) if orders_unchanged else None
    if kept is not None and all(oid in kept for oid in order_ids):
        order_ids, states = [], dict(kept)
    else:
        states = {}
    unavailable: dict[str, str] = {}
    if order_ids:
        answers = ask_all(shop_id, {"recent": Ask("orders", "/orders", {"limit": RECENT_ORDERS})}, deadline)
        unavailable.update(answers.unavailable)
        states.update({o["id"]: o.get("state") for o in answers.bodies.get("recent") or []})
        older = [oid for oid in order_ids if oid not in states][:MAX_ORDER_ASKS]
        if older and "recent" in answers.bodies:
            asks = {oid: Ask("orders", f"/orders/{quote(oid, safe='')}") for oid in older}
            more = ask_all(shop_id, asks, deadline)
            states.update({oid: body.get("state") for oid, body in more.bodies.items()})
            unavailable.update(more.unavailable)
        if not unavailable:
            _STATES.put(shop_id, states)
    for ticket in items:
        ticket["order_state"] = states.get(ticket.get("order_id") or "")
    return {"orders": next(iter(unavailable.values()))} if unavailable else {}


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
