"""The forwarded part of the public API: ``/api/v1/shops/<shop_id>/<service sub-path>`` for signed-in people and
``/api/v1/buyer/shops/<shop_id>/<service sub-path>`` for buyer keys, both dispatched by ``gateway/routes.py``. (The
buyer API's own routes, its customers and feed, are ``gateway/buyer_api.py``.)

Checks, in this order: who is calling (401), whether they reach the shop (404), whether the path is a public route
(404; 405 for another method), whether their role may call it (403); then the service answers.
"""

from __future__ import annotations

from flask import Blueprint, request

from gateway import buyer_keys, forwarding
from gateway.buyer_api import buyer_key_for
from gateway.forwarding import Caller
from gateway.routes import BUYER, BUYER_MAP, BUYER_ROUTES, INSTRUCTOR, STAFF_MAP, STAFF_ROUTES, STUDENT, Route
from gateway.sessions import current_identity
from gateway.tokens import Identity
from shoplab.errors import Forbidden, InvalidInput, NotFound
from shoplab.plumbing.internal_client import ServiceResponse
from shoplab.plumbing.web import db

public_api = Blueprint("public_api", __name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CUSTOMER_HEADER = "X-Customer-Id"


@public_api.route("/api/v1/shops/<shop_id>/<path:sub_path>", methods=METHODS)
def staff_route(shop_id: str, sub_path: str):
    who = current_identity()  # the shop's fence ran before this view (sessions.fence_request)
    route, args, caller = staff_route_for(who, f"/{sub_path}")
    return forwarding.forward(route, shop_id, args, caller)


def staff_route_for(who: Identity, sub_path: str, method: str | None = None) -> tuple[Route, dict[str, str], Caller]:
    """The staff route of this sub-path, checked for the caller's role (403), with a student's ``me`` resolved:
    what every staff call goes through, from the public API or from a page."""
    route, args = forwarding.match(STAFF_MAP, STAFF_ROUTES, sub_path, method)
    role = STUDENT if who.is_student else INSTRUCTOR
    if role not in route.who:
        raise Forbidden(
            "this is for the shop's agents (its students)" if role == INSTRUCTOR else "this is for instructors",
            {"role": [f"{' or '.join(sorted(route.who))} required"]},
        )
    if route.self_param and role == STUDENT:
        given = args[route.self_param]
        if given == "me":
            args[route.self_param] = who.user_id
        elif given != who.user_id:
            raise Forbidden("you may change only your own status", {route.self_param: ["yours, or 'me'"]})
    return route, args, Caller(role, agent_id=who.user_id)


def staff_call(
    who: Identity, shop_id: str, method: str, sub_path: str, body: dict | None = None, params: dict | None = None
) -> ServiceResponse:
    """A staff call made by a page for the signed-in person, exactly as the public API makes it (the caller must
    reach the shop: the page's fence checked it). Refusals of the gateway itself raise; the service's answer,
    success or error, is returned as it is."""
    route, args, caller = staff_route_for(who, sub_path, method)
    return forwarding.call(route, shop_id, args, caller, method, body, params)


@public_api.route("/api/v1/buyer/shops/<shop_id>/<path:sub_path>", methods=METHODS)
def buyer_route(shop_id: str, sub_path: str):
    buyer_key_for(shop_id)
    route, args = forwarding.match(BUYER_MAP, BUYER_ROUTES, f"/{sub_path}")
    customer = _customer(shop_id) if route.names_customer else None
    return forwarding.forward(route, shop_id, args, Caller(BUYER, customer=customer))


def _customer(shop_id: str):
    with db().reading() as session:
        try:
            return buyer_keys.customer(session, shop_id, request.headers.get(CUSTOMER_HEADER))
        except NotFound as exc:
            raise InvalidInput(exc.message, exc.fields) from None
