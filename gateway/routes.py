"""Every public route that the gateway forwards to a service, in one table: who may call it, where it goes, and which
fields name the acting person (the gateway sets them from the sign-in or the buyer key; a request naming anyone else
is refused).

Staff routes are under ``/api/v1/shops/<shop_id>`` and buyer routes under ``/api/v1/buyer/shops/<shop_id>``; the
sub-path is the service's own (``/shops/<shop_id>`` + sub-path), except the orders, reviews and crm services'
``/metrics``, which are ``/metrics/orders``, ``/metrics/reviews`` and ``/metrics/crm`` here because the tickets
service's ``/metrics`` takes that path, and crm's customer export, which is ``/exports/customers.csv`` or ``.xlsx``.

Callers: ``student`` (an agent seated in the shop), ``instructor`` (who teaches the shop's class; admins too) and
``buyer`` (a buyer key of the shop, acting as one registered customer). A signed-in person outside the shop gets 404;
inside it but of a role the route is not for, 403. The routes the gateway answers itself (the shop and its clock,
buyer keys, the joined views, the stream) are in ``gateway/api.py`` and ``gateway/shop_views.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule

STUDENT, INSTRUCTOR, BUYER = "student", "instructor", "buyer"
STAFF = frozenset({STUDENT, INSTRUCTOR})
AGENTS = frozenset({STUDENT})
TEACHERS = frozenset({INSTRUCTOR})


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the public sub-path after the shop (werkzeug rule syntax)
    service: str
    who: frozenset[str]
    target: str | None = None  # the service's sub-path after /shops/<shop_id>, when it differs from ``path``
    acting: tuple[str, ...] = ()  # body fields that name the acting agent: set to the signed-in student
    fixed: Mapping[str, Any] = field(default_factory=dict)  # body fields set by the gateway, whatever was sent
    fixed_for_instructor: Mapping[str, Any] | None = None  # ``fixed`` when an instructor calls
    self_param: str | None = None  # a path parameter a student may only set to themselves (or ``me``)
    # buyer routes: how the customer is named and fenced
    customer_body: Mapping[str, str] = field(default_factory=dict)  # body field -> the customer's attribute
    customer_query: str | None = None  # a query parameter set to the customer's id
    query_fixed: Mapping[str, str] = field(default_factory=dict)
    owned: tuple[str, ...] = ()  # order_id / ticket_id / dispute_id (path or body) that must be the customer's
    owner_in_response: bool = False  # the answer carries ``customer_id``: checked there instead of asked first
    only_customer_rows: bool = False  # a list answer: rows of other customers are left out
    shop_only: tuple[str, ...] = ()  # fields of the answer that are the shop's own work: left out for the buyer
    multipart: bool = False  # a file upload (multipart/form-data): ``acting`` names form fields, not JSON ones
    summary: str = ""

    @property
    def service_path(self) -> str:
        return self.target or self.path

    @property
    def names_customer(self) -> bool:
        """A buyer route that acts as, or reads the rows of, the customer named by ``X-Customer-Id``."""
        return bool(
            self.customer_body or self.customer_query or self.owned or self.owner_in_response or self.only_customer_rows
        )


def _staff(method: str, path: str, service: str, who=STAFF, **kw) -> Route:
    return Route(method, path, service, frozenset(who), **kw)


def _buyer(method: str, path: str, service: str, **kw) -> Route:
    return Route(method, path, service, frozenset({BUYER}), **kw)


ORD, TIX, REV, CRM = "orders", "tickets", "reviews", "crm"
ORDER = "/orders/<order_id>"
REFUND = f"{ORDER}/refunds/<refund_id>"
RETURN = f"{ORDER}/returns/<return_id>"
TICKET = "/tickets/<ticket_id>"
DISPUTE = "/disputes/<dispute_id>"
REVIEW = "/reviews/<review_id>"
CUSTOMER = "/customers/<customer_id>"

STAFF_ROUTES: list[Route] = [
    # catalog, orders, payments (orders service)
    _staff("GET", "/products", ORD, summary="products with SKUs, prices and stock"),
    _staff("GET", "/products/<product_id>", ORD),
    _staff("GET", "/shipping-templates", ORD),
    _staff("GET", "/orders", ORD, summary="latest orders (state=, customer_id=, limit=)"),
    _staff("GET", ORDER, ORD),
    _staff("GET", f"{ORDER}/payments", ORD, summary="payment attempts, failed ones with their reason"),
    _staff("POST", f"{ORDER}/cancel", ORD, AGENTS, acting=("agent_id",), fixed={"by": "seller"}),
    _staff("POST", f"{ORDER}/address", ORD, AGENTS, acting=("changed_by",)),
    # payment reminders (催付)
    _staff("GET", "/reminders/due", ORD),
    _staff("GET", f"{ORDER}/reminders", ORD),
    _staff("POST", f"{ORDER}/reminders", ORD, AGENTS, acting=("sent_by",)),
    _staff("POST", f"{ORDER}/reminders/<reminder_id>/note", ORD, AGENTS, acting=("noted_by",)),
    # shipments and tracking
    _staff("POST", f"{ORDER}/shipments", ORD, AGENTS, acting=("shipped_by",)),
    _staff("POST", f"{ORDER}/reshipments", ORD, AGENTS, acting=("shipped_by",)),
    _staff("POST", f"{ORDER}/shipments/<shipment_id>/exceptions", ORD, TEACHERS, summary="inject a parcel's trouble"),
    _staff("GET", f"{ORDER}/tracking", ORD),
    # refunds and returns (售后)
    _staff("GET", f"{ORDER}/refunds", ORD),
    _staff("POST", f"{ORDER}/refunds", ORD, AGENTS, acting=("requested_by",)),
    _staff("POST", f"{REFUND}/approve", ORD, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{REFUND}/reject", ORD, AGENTS, acting=("agent_id",)),
    _staff("GET", f"{ORDER}/returns", ORD),
    _staff("POST", f"{ORDER}/returns", ORD, AGENTS, acting=("requested_by",)),
    *(
        _staff("POST", f"{RETURN}/{step}", ORD, AGENTS, acting=("agent_id",))
        for step in ("approve", "reject", "receive", "refund", "exchange")
    ),
    _staff("GET", "/metrics/orders", ORD, target="/metrics", summary="order metrics (shop time; from=, to=, agent=)"),
    # the queue (tickets service)
    _staff("GET", "/tickets", TIX, summary="the queue: status=, assignee=, kind=, group=, customer_id=, order_id="),
    _staff("GET", "/tickets/export.csv", TIX),
    _staff("GET", TICKET, TIX),
    _staff("POST", f"{TICKET}/messages", TIX, AGENTS, acting=("agent_id",), fixed={"author": "agent"}),
    _staff("POST", f"{TICKET}/notes", TIX, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{TICKET}/claim", TIX, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{TICKET}/transfer", TIX, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{TICKET}/assign", TIX, TEACHERS),
    _staff("POST", f"{TICKET}/status", TIX, AGENTS, acting=("agent_id",)),
    _staff("GET", "/agents", TIX),
    _staff("PATCH", "/agents/<agent_id>", TIX, TEACHERS),
    _staff("POST", "/agents/<agent_id>/status", TIX, self_param="agent_id", summary="online, away or offline"),
    _staff("GET", "/queue-settings", TIX),
    _staff("PUT", "/queue-settings", TIX, TEACHERS),
    _staff("GET", "/phrases", TIX),
    _staff("POST", "/phrases", TIX),
    _staff("GET", "/disputes", TIX),
    _staff("GET", DISPUTE, TIX),
    _staff("POST", f"{DISPUTE}/proposal", TIX, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{DISPUTE}/escalate", TIX, fixed={"by": "shop"}, fixed_for_instructor={"by": "instructor"}),
    _staff("GET", "/metrics", TIX, summary="reply-time and service metrics (wall time; from=, to=, agent=, group=)"),
    _staff("GET", "/metrics/agents", TIX),
    # reviews (评价): the list and one review, the shop's public reply, follow-up contacts, removal requests
    _staff("GET", "/reviews", REV, summary="reviews (rating=, needs_follow_up=, mismatch=, customer_id=, order_id=)"),
    _staff("GET", REVIEW, REV, summary="one review: versions, sentiment, reply, contacts, removal requests"),
    _staff("POST", f"{REVIEW}/reply", REV, AGENTS, acting=("agent_id",), summary="the public reply (rule-checked)"),
    _staff("PATCH", f"{REVIEW}/reply", REV, AGENTS, acting=("agent_id",), summary="edit the reply"),
    _staff("GET", f"{REVIEW}/contacts", REV),
    _staff("POST", f"{REVIEW}/contacts", REV, AGENTS, acting=("agent_id",), summary="a contact attempt (中差评回访)"),
    _staff("GET", f"{REVIEW}/removal-requests", REV),
    _staff("POST", f"{REVIEW}/removal-requests", REV, AGENTS, acting=("agent_id",)),
    _staff("GET", "/metrics/reviews", REV, target="/metrics", summary="review metrics (shop time; from=, to=, agent=)"),
    # customers (客户管理, crm service): profiles, tags, RFM segments, exports, blacklist, care tasks, imports
    _staff("GET", "/customers", CRM, summary="customers (tag=, segment=, grade=, country=, blacklisted=, q=, sort=)"),
    _staff("GET", CUSTOMER, CRM, summary="a customer's profile: RFM, grade, tags, counts"),
    _staff("GET", f"{CUSTOMER}/timeline", CRM),
    _staff("GET", f"{CUSTOMER}/tags", CRM),
    _staff("POST", f"{CUSTOMER}/tags", CRM, AGENTS, acting=("agent_id",), summary="tag the customer (打标)"),
    _staff("POST", f"{CUSTOMER}/tags/remove", CRM, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{CUSTOMER}/blacklist", CRM, AGENTS, acting=("agent_id",)),
    _staff("POST", f"{CUSTOMER}/blacklist/lift", CRM, AGENTS, acting=("agent_id",)),
    _staff("GET", "/blacklist", CRM),
    _staff("GET", "/tags", CRM),
    _staff("GET", "/segments", CRM),
    _staff("GET", "/rfm", CRM),
    _staff("POST", "/rfm/recompute", CRM, acting=("agent_id",), summary="recompute every customer's RFM now"),
    *(
        _staff(
            "GET",
            f"/exports/customers.{fmt}",
            CRM,
            target="/exports/customers",
            query_fixed={"format": fmt},
            summary=f"the filtered customer list as {fmt}",
        )  # fmt: skip
        for fmt in ("csv", "xlsx")
    ),
    _staff("GET", "/care-tasks", CRM),
    _staff("GET", "/crm-rules", CRM),
    _staff("GET", "/imports", CRM, TEACHERS),
    _staff(
        "POST",
        "/imports",
        CRM,
        TEACHERS,
        acting=("agent_id",),
        multipart=True,
        summary="import a transaction history (multipart: file)",
    ),  # fmt: skip
    _staff("GET", "/metrics/crm", CRM, target="/metrics", summary="customer metrics (shop time; from=, to=)"),
]

BUYER_ROUTES: list[Route] = [
    _buyer("GET", "/products", ORD),
    _buyer("GET", "/products/<product_id>", ORD),
    _buyer("GET", "/shipping-templates", ORD),
    _buyer("POST", "/orders", ORD, customer_body={"buyer": "*"}, summary="place an order as the customer"),
    _buyer("GET", "/orders", ORD, customer_query="customer_id"),
    _buyer("GET", ORDER, ORD, owner_in_response=True),
    _buyer("GET", f"{ORDER}/payments", ORD, owned=("order_id",)),
    _buyer("POST", f"{ORDER}/payments", ORD, owned=("order_id",)),
    _buyer("POST", f"{ORDER}/cancel", ORD, owned=("order_id",), fixed={"by": "buyer", "agent_id": None}),
    _buyer("POST", f"{ORDER}/address", ORD, owned=("order_id",), fixed={"changed_by": "buyer"}),
    _buyer("POST", f"{ORDER}/confirm-receipt", ORD, owned=("order_id",)),
    _buyer("GET", f"{ORDER}/tracking", ORD, owned=("order_id",)),
    _buyer("GET", f"{ORDER}/refunds", ORD, owned=("order_id",)),
    _buyer("POST", f"{ORDER}/refunds", ORD, owned=("order_id",), fixed={"requested_by": "buyer"}),
    _buyer("GET", f"{ORDER}/returns", ORD, owned=("order_id",)),
    _buyer("POST", f"{ORDER}/returns", ORD, owned=("order_id",), fixed={"requested_by": "buyer"}),
    _buyer("POST", f"{RETURN}/ship-back", ORD, owned=("order_id",)),
    _buyer(
        "POST",
        "/tickets",
        TIX,
        customer_body={"customer_id": "customer_id", "buyer_name": "name", "language": "language"},
        owned=("order_id",),
        summary="the customer's first message opens a conversation",
    ),
    _buyer("GET", "/tickets", TIX, customer_query="customer_id"),
    _buyer("GET", TICKET, TIX, query_fixed={"audience": "buyer"}, owner_in_response=True),
    _buyer(
        "POST",
        f"{TICKET}/messages",
        TIX,
        owned=("ticket_id",),
        fixed={"author": "buyer", "agent_id": None, "phrase_id": None, "await_buyer": False},
    ),
    _buyer("POST", f"{TICKET}/csat", TIX, owned=("ticket_id",), summary="rate a resolved conversation 1-5"),
    _buyer("POST", "/disputes", TIX, owned=("order_id",)),
    _buyer("GET", "/disputes", TIX, only_customer_rows=True),
    _buyer("GET", DISPUTE, TIX, owner_in_response=True),
    _buyer("POST", f"{DISPUTE}/decision", TIX, owned=("dispute_id",)),
    _buyer("POST", f"{DISPUTE}/escalate", TIX, owned=("dispute_id",), fixed={"by": "buyer"}),
    # what a buyer sees and does that the simulator needs (issue 13): reminders received, reviews written
    _buyer("GET", f"{ORDER}/reminders", ORD, owned=("order_id",), summary="the payment reminders the buyer received"),
    _buyer(
        "POST",
        f"{ORDER}/reviews",
        REV,
        owned=("order_id",),
        customer_body={"customer_id": "customer_id"},
        summary="review a line of a delivered order",
    ),
    _buyer("GET", "/reviews", REV, customer_query="customer_id", summary="the customer's own reviews"),
    _buyer(
        "GET",
        REVIEW,
        REV,
        owner_in_response=True,
        shop_only=("removal_requests",),  # the shop asking the platform to remove it is none of the buyer's business
        summary="one of the customer's reviews, with the shop's reply and its contacts",
    ),
    _buyer(
        "POST",
        f"{REVIEW}/revision",
        REV,
        owned=("review_id",),
        customer_body={"customer_id": "customer_id"},
        summary="the one revision of a neutral/negative review",
    ),
    _buyer("POST", f"{REVIEW}/follow-up", REV, owned=("review_id",), customer_body={"customer_id": "customer_id"}),
]


def route_map(routes: list[Route]) -> Map:
    """The table as werkzeug rules: the endpoint of a rule is its index in the list."""
    return Map(
        [Rule(route.path, methods=[route.method], endpoint=index) for index, route in enumerate(routes)],
        strict_slashes=False,
        merge_slashes=False,
    )


STAFF_MAP = route_map(STAFF_ROUTES)
BUYER_MAP = route_map(BUYER_ROUTES)
