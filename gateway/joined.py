"""Views that join several services into one screen, asked in parallel and answered within 2 s whatever happens.

Each part comes from one service call. A part whose service does not answer in time, or answers with an error, is
``null`` in the view and named in ``unavailable`` with the reason; the rest of the view still answers. A part the
service does not know (404) is ``null`` without being unavailable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from gateway.recent_answers import RecentAnswers
from shoplab import settings
from shoplab.plumbing.internal_client import ServiceResponse, ServiceUnavailable, client_for

_POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="joined-view")


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
    """The time left to a whole view (``settings.view_budget_seconds``, under the 2 s it promises); the first step
    (the call that says what else to ask: the ticket, the queue) may take half of it."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = settings.view_budget_seconds() if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    @property
    def first_step(self) -> float:
        return self.seconds / 2

    def left(self, cap: float | None = None) -> float:
        remaining = max(self.ends - time.monotonic(), 0.05)
        return min(remaining, cap) if cap else remaining


def ask_all(shop_id: str, asks: dict[str, Ask], deadline: Deadline, cap: float | None = None) -> Answers:
    """Every ask at once; what has not answered when the time is up is unavailable."""
    return collect(start(shop_id, asks, deadline, cap))


@dataclass
class Started:
    """Asks on their way, to be collected later (another part of the view is asked meanwhile)."""

    asks: dict[str, Ask]
    futures: dict[str, Future]
    timeout: float
    ends: float  # monotonic


def start(shop_id: str, asks: dict[str, Ask], deadline: Deadline, cap: float | None = None) -> Started:
    timeout = deadline.left(cap)
    futures = {name: _in_flight(shop_id, ask, timeout) for name, ask in asks.items()}
    return Started(asks, futures, timeout, time.monotonic() + timeout)


def collect(started: Started) -> Answers:
    """The answers of started asks; what has not answered when the time is up is unavailable."""
    asks, futures, timeout = started.asks, started.futures, started.timeout
    wait(futures.values(), timeout=max(started.ends - time.monotonic(), 0) + 0.05)
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


_FLYING: dict[tuple, Future] = {}
_FLYING_LOCK = threading.Lock()


def _in_flight(shop_id: str, ask: Ask, timeout: float) -> Future:
    """The ask, or the same ask already on its way (two people of a shop refreshing for the same event ask the same
    things at the same moment): a read started now and one started a moment ago answer alike."""
    key = (shop_id, ask.service, ask.path, repr(ask.params))
    with _FLYING_LOCK:
        flying = _FLYING.get(key)
        if flying is not None:
            return flying
        future = _POOL.submit(_call, shop_id, ask, timeout)
        _FLYING[key] = future
    future.add_done_callback(lambda done: _landed(key, done))
    return future


def _landed(key: tuple, future: Future) -> None:
    with _FLYING_LOCK:
        if _FLYING.get(key) is future:
            del _FLYING[key]


def _call(shop_id: str, ask: Ask, timeout: float) -> ServiceResponse:
    return client_for(ask.service).get(
        f"/shops/{quote(shop_id, safe='')}{ask.path}", params=ask.params, timeout=timeout
    )


def conversation(
    shop_id: str, ticket_id: str, *, order_unchanged: bool = False, after: int | None = None
) -> tuple[dict, int]:
    """A conversation with its messages, and beside it the order (lines, total, payment attempts), its payment
    reminders, tracking, refunds, returns and disputes, and the customer: their CRM profile with tags, RFM and grade
    (``customer``, crm) and their reviews of the shop (``reviews``, the reviews service), asked while the order is.

    ``order_unchanged``: the caller knows nothing happened to the order since it last asked (a page refreshing for
    a message: every change of an order rings the live stream, and the page then asks again without it), so the
    order's parts read in the last half minute by this process may serve again. ``after``: the ticket's messages
    after that id only (the page shows the others)."""
    deadline = Deadline()
    tid = quote(ticket_id, safe="")
    asked = Ask("tickets", f"/tickets/{tid}", {"after": after} if after is not None else None)
    first = ask_all(shop_id, {"ticket": asked}, deadline, deadline.first_step)
    if first.statuses.get("ticket") == 404:
        return {"error": "not_found", "message": f"no ticket {ticket_id}", "fields": {"ticket_id": ["unknown"]}}, 404
    ticket = first.bodies.get("ticket")
    view: dict[str, Any] = {
        "ticket": ticket,
        **dict.fromkeys(ORDER_PARTS),
        "disputes": None,
        **dict.fromkeys(CUSTOMER_PARTS),
        "unavailable": dict(first.unavailable),
    }
    if ticket is None:
        return view, 200
    about_customer = (
        start(shop_id, customer_asks(ticket["customer_id"]), deadline) if ticket.get("customer_id") else None
    )
    if ticket.get("order_id"):
        key = (shop_id, ticket["order_id"])
        kept = RECENT_ORDERS.peek(key) if order_unchanged else None
        if kept is None:
            kept = order_parts(shop_id, ticket["order_id"], deadline, view["unavailable"])
            if not view["unavailable"]:
                RECENT_ORDERS.put(key, kept)
        view.update(kept)
    elif ticket.get("kind") == "dispute":
        view.update(_asked(shop_id, {"disputes": Ask("tickets", "/disputes")}, deadline, view["unavailable"]))
    if isinstance(view.get("disputes"), list):
        view["disputes"] = [
            d
            for d in view["disputes"]
            if d.get("ticket_id") == ticket["id"] or d.get("order_id") == ticket.get("order_id")
        ]
    if about_customer is not None:
        answers = collect(about_customer)
        view["unavailable"].update(answers.unavailable)
        view.update({part: answers.bodies.get(part) for part in CUSTOMER_PARTS})
    return view, 200


CUSTOMER_PARTS = ("customer", "reviews")
CUSTOMER_REVIEWS = 20  # the latest; the Reviews page has them all


def customer_asks(customer_id: str) -> dict[str, Ask]:
    """Who the buyer is to the shop: the CRM profile (tags, RFM, grade, blacklist) and what they wrote of it."""
    return {
        "customer": Ask("crm", f"/customers/{quote(customer_id, safe='')}"),
        "reviews": Ask("reviews", "/reviews", {"customer_id": customer_id, "status": "all", "limit": CUSTOMER_REVIEWS}),
    }


ORDER_PARTS = ("order", "payments", "reminders", "tracking", "refunds", "returns")
RECENT_ORDERS = RecentAnswers(seconds=30)  # (shop, order) -> its parts, for ``order_unchanged`` refreshes


def order_parts(shop_id: str, order_id: str, deadline: Deadline, unavailable: dict[str, str]) -> dict[str, Any]:
    """The order, then only the parts its facts say there is something in (an unpaid order with no attempt has no
    payments, refunds, parcels or dispute to ask for): what is known empty is an empty list, not asked."""
    order_path = f"/orders/{quote(order_id, safe='')}"
    found = _asked(shop_id, {"order": Ask("orders", order_path)}, deadline, unavailable, deadline.first_step)
    order = found.get("order")
    if order is None:  # unknown, or orders did not answer: its parts with it; the disputes are the tickets service's
        found.update(dict.fromkeys(ORDER_PARTS[1:]))
        if "order" in unavailable:
            unavailable.update(dict.fromkeys(ORDER_PARTS[1:], unavailable["order"]))
        found.update(_asked(shop_id, {"disputes": Ask("tickets", "/disputes")}, deadline, unavailable))
        return found
    paid = bool(order.get("paid_at"))
    wanted = {
        "payments": paid or bool(order.get("payment_failure")),
        "reminders": bool(order.get("reminder_count")),
        "tracking": bool(order.get("shipped_at")),
        "refunds": paid,
        "returns": bool(order.get("delivered_at")),
        "disputes": paid,
    }
    asks = {part: ask for part, ask in order_asks(order_id).items() if wanted.get(part)}
    if wanted["disputes"]:
        asks["disputes"] = Ask("tickets", "/disputes")
    found.update(_asked(shop_id, asks, deadline, unavailable))
    for part, needed in wanted.items():
        if not needed:
            found[part] = _nothing(part, order)
    return found


def _nothing(part: str, order: dict) -> Any:
    if part == "tracking":
        return {
            "order_id": order["id"],
            "order_no": order.get("order_no"),
            "state": order.get("state"),
            "shipments": [],
        }
    return []


def _asked(
    shop_id: str, asks: dict[str, Ask], deadline: Deadline, unavailable: dict[str, str], cap: float | None = None
) -> dict[str, Any]:
    answers = ask_all(shop_id, asks, deadline, cap)
    unavailable.update(answers.unavailable)
    return {name: answers.bodies.get(name) for name in asks}


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


_SCREEN_POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="screen-part")


def run_all(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Several parts of one screen at once (each may ask services in turn: they run in a pool of their own, so a
    part waiting on its asks never holds a thread its asks need); a part that failed raises here, one that took
    too long (a machine far behind) is a 503."""
    futures = {name: _SCREEN_POOL.submit(job) for name, job in jobs.items()}
    try:
        return {name: future.result(timeout=settings.view_budget_seconds() + 1) for name, future in futures.items()}
    except FutureTimeout:
        raise ServiceUnavailable("the shop's services are slow to answer; try again in a moment", {}) from None


def meanwhile(job: Callable[..., Any], *args: Any) -> Future:
    """One part of a screen started now, its result read later (in the screens' own pool, as in ``run_all``)."""
    return _SCREEN_POOL.submit(job, *args)
