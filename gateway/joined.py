"""Views that join several services into one screen, asked in parallel and answered within 2 s whatever happens.

Each part comes from one service call. A part whose service does not answer in time, or answers with an error, is
``null`` in the view and named in ``unavailable`` with the reason; the rest of the view still answers. A part the
service does not know (404) is ``null`` without being unavailable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
    """A conversation with its messages, and beside it the order (lines, total, payment attempts), its payment
    reminders, tracking, refunds, returns and disputes. (The customer's profile joins when the CRM service keeps
    profiles.)"""
    deadline = Deadline()
    tid = quote(ticket_id, safe="")
    first = ask_all(shop_id, {"ticket": Ask("tickets", f"/tickets/{tid}")}, deadline, FIRST_STEP_SECONDS)
    if first.statuses.get("ticket") == 404:
        return {"error": "not_found", "message": f"no ticket {ticket_id}", "fields": {"ticket_id": ["unknown"]}}, 404
    ticket = first.bodies.get("ticket")
    view: dict[str, Any] = {
        "ticket": ticket,
        **dict.fromkeys(ORDER_PARTS),
        "disputes": None,
        "customer": None,
        "unavailable": dict(first.unavailable),
    }
    if ticket is None:
        return view, 200
    asks = {"disputes": Ask("tickets", "/disputes")}
    if ticket.get("order_id"):
        asks.update(order_asks(ticket["order_id"]))
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


ORDER_PARTS = ("order", "payments", "reminders", "tracking", "refunds", "returns")


def order_asks(order_id: str) -> dict[str, Ask]:
    """What the panel beside a conversation shows of its order, one ask per part."""
    order = f"/orders/{quote(order_id, safe='')}"
    return {
        "order": Ask("orders", order),
        "payments": Ask("orders", f"{order}/payments"),
        "reminders": Ask("orders", f"{order}/reminders"),
        "tracking": Ask("orders", f"{order}/tracking"),
        "refunds": Ask("orders", f"{order}/refunds"),
        "returns": Ask("orders", f"{order}/returns"),
    }


_SCREEN_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="screen-part")


def run_all(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Several parts of one screen at once (each may ask services in turn: they run in a pool of their own, so a
    part waiting on its asks never holds a thread its asks need); a part that failed raises here."""
    futures = {name: _SCREEN_POOL.submit(job) for name, job in jobs.items()}
    return {name: future.result(timeout=BUDGET_SECONDS + 1) for name, future in futures.items()}
