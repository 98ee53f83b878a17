"""Views that join several services into one screen, asked in parallel and answered within 2 s whatever happens.

Each part comes from one service call. A part whose service does not answer in time, or answers with an error, is
``null`` in the view and named in ``unavailable`` with the reason; the rest of the view still answers. A part the
service does not know (404) is ``null`` without being unavailable.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from shoplab.plumbing.internal_client import ServiceResponse, ServiceUnavailable, client_for

BUDGET_SECONDS = 1.8  # the whole view, under the 2 s it promises
FIRST_STEP_SECONDS = 0.9  # the call that says what else to ask (the ticket, the queue)
_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="joined-view")


@dataclass(frozen=True)
class Ask:
    service: str
    path: str  # under /shops/<shop_id>
    params: Any = None


@dataclass
class Answers:
    bodies: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


class Deadline:
    def __init__(self, seconds: float = BUDGET_SECONDS) -> None:
        self.ends = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        remaining = max(self.ends - time.monotonic(), 0.05)
        return min(remaining, cap) if cap else remaining


def ask_all(shop_id: str, asks: dict[str, Ask], deadline: Deadline, cap: float | None = None) -> Answers:
    """Every ask at once; what has not answered when the time is up is unavailable."""
    timeout = deadline.left(cap)
    futures = {name: _POOL.submit(_call, shop_id, ask, timeout) for name, ask in asks.items()}
    wait(futures.values(), timeout=timeout + 0.05)
    answers = Answers()
    for name, future in futures.items():
        service = asks[name].service
        if not future.done():
            answers.unavailable[name] = f"{service}: no answer within {timeout:.1f} s"
            continue
        try:
            response: ServiceResponse = future.result()
        except ServiceUnavailable as exc:
            answers.unavailable[name] = f"{service}: {exc.message}"
            continue
        except Exception as exc:  # the view still answers: this part is marked, the error named
            answers.unavailable[name] = f"{service}: {type(exc).__name__}"
            continue
        answers.statuses[name] = response.status
        if response.ok:
            answers.bodies[name] = response.json()
        elif response.status != 404:
            body = response.json() if response.body else {}
            answers.unavailable[name] = f"{service}: {response.status} {body.get('message', '')}".strip()
    return answers


def _call(shop_id: str, ask: Ask, timeout: float) -> ServiceResponse:
    return client_for(ask.service).get(
        f"/shops/{quote(shop_id, safe='')}{ask.path}", params=ask.params, timeout=timeout
    )


def conversation(shop_id: str, ticket_id: str) -> tuple[dict, int]:
    """A conversation with its messages, and beside it the order (lines, total, payment attempts), its tracking,
    refunds, returns and disputes. (The customer's profile joins when the CRM service keeps profiles.)"""
    deadline = Deadline()
    tid = quote(ticket_id, safe="")
    first = ask_all(shop_id, {"ticket": Ask("tickets", f"/tickets/{tid}")}, deadline, FIRST_STEP_SECONDS)
    if first.statuses.get("ticket") == 404:
        return {"error": "not_found", "message": f"no ticket {ticket_id}", "fields": {"ticket_id": ["unknown"]}}, 404
    ticket = first.bodies.get("ticket")
    view: dict[str, Any] = {
        "ticket": ticket,
        **dict.fromkeys(("order", "payments", "tracking", "refunds", "returns", "disputes")),
        "customer": None,
        "unavailable": dict(first.unavailable),
    }
    if ticket is None:
        return view, 200
    asks = {"disputes": Ask("tickets", "/disputes")}
    if ticket.get("order_id"):
        order = f"/orders/{quote(ticket['order_id'], safe='')}"
        asks.update(
            order=Ask("orders", order),
            payments=Ask("orders", f"{order}/payments"),
            tracking=Ask("orders", f"{order}/tracking"),
            refunds=Ask("orders", f"{order}/refunds"),
            returns=Ask("orders", f"{order}/returns"),
        )
    rest = ask_all(shop_id, asks, deadline)
    view.update(rest.bodies)
    view["unavailable"].update(rest.unavailable)
    if isinstance(view.get("disputes"), list):
        view["disputes"] = [
            d
            for d in view["disputes"]
            if d.get("ticket_id") == ticket["id"] or d.get("order_id") == ticket.get("order_id")
        ]
    return view, 200


def queue(shop_id: str, agent_id: str | None, shop_now: str) -> dict:
    """The active queue (an agent's own tickets and the unassigned ones; an instructor's: every active ticket), each
    with its SLA due times and the state of its order, most urgent first."""
    deadline = Deadline()
    if agent_id:
        asks = {
            "mine": Ask("tickets", "/tickets", {"status": "active", "assignee": agent_id, "limit": 200}),
            "unassigned": Ask("tickets", "/tickets", {"status": "active", "assignee": "none", "limit": 200}),
        }
    else:
        asks = {"all": Ask("tickets", "/tickets", {"status": "active", "limit": 500})}
    first = ask_all(shop_id, asks, deadline, FIRST_STEP_SECONDS)
    items = [item for body in first.bodies.values() for item in body.get("items", [])]
    unavailable = {"tickets": next(iter(first.unavailable.values()))} if first.unavailable else {}
    order_ids = sorted({item["order_id"] for item in items if item.get("order_id")})[:100]
    orders = ask_all(shop_id, {oid: Ask("orders", f"/orders/{quote(oid, safe='')}") for oid in order_ids}, deadline)
    if orders.unavailable:
        unavailable["orders"] = next(iter(orders.unavailable.values()))
    for item in items:
        order = orders.bodies.get(item.get("order_id") or "")
        item["order_state"] = order.get("state") if order else None
    items.sort(key=_urgency)
    return {"shop_now": shop_now, "items": items, "unavailable": unavailable}


def _urgency(item: dict) -> tuple:
    sla = item.get("sla") or {}
    due = [value for value in (sla.get("first_response_due"), sla.get("next_response_due")) if value]
    return (min(due) if due else "9999", item.get("opened_at") or "")
