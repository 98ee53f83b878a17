"""Forwarding one public request to its service, as ``gateway/routes.py`` says: the acting person's fields set from
the sign-in or the buyer key (any other value refused), the customer's own rows only, the service's answer passed
through as it is (status, JSON body or CSV, errors in ShopLab's ``{"error", "message", "fields"}`` shape)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request
from urllib3 import encode_multipart_formdata
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.routing import Map

from gateway.allowed_methods import allowed_methods
from gateway.models import BuyerCustomer
from gateway.routes import BUYER, INSTRUCTOR, Route
from shoplab.errors import InvalidInput, NotFound, ShopLabError
from shoplab.plumbing.internal_client import ServiceResponse, client_for

# ids in paths are the services' own (hex, order numbers, integers): anything else cannot name a row
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:@~-]{1,100}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_PASSED_HEADERS = ("Content-Disposition", "Retry-After", "Allow")
_OWNER_LOOKUPS = {  # what must be the customer's, and where the service says whose it is
    "order_id": ("orders", "/orders/{}", "order"),
    "ticket_id": ("tickets", "/tickets/{}?audience=buyer", "ticket"),
    "dispute_id": ("tickets", "/disputes/{}", "dispute"),
    "review_id": ("reviews", "/reviews/{}", "review"),
}


@dataclass(frozen=True)
class Caller:
    role: str  # student | instructor | buyer
    agent_id: str | None = None  # the signed-in person (staff)
    customer: BuyerCustomer | None = None  # the customer a buyer key acts as


class NoSuchRoute(ShopLabError):
    status = 404
    code = "not_found"


class WrongMethod(ShopLabError):
    status = 405
    code = "method_not_allowed"


def match(
    route_map: Map, routes: list[Route], sub_path: str, method: str | None = None
) -> tuple[Route, dict[str, str]]:
    """The route for this sub-path and method (default: the request's); 404 (JSON) for an unknown path, 405 for a
    known one's wrong method."""
    public_request = method is None
    method = method or request.method
    adapter = route_map.bind("gateway", path_info=sub_path)
    try:
        index, args = adapter.match(sub_path, method=method)
    except (NoRoute, MethodNotAllowed) as exc:
        # a public request: the gateway's own views at its path count too
        allowed = allowed_methods(request.path) if public_request else getattr(exc, "valid_methods", None) or []
        if not allowed:
            raise NoSuchRoute(f"no public route {method} {sub_path}", {"path": ["unknown path"]}) from None
        listed = ", ".join(allowed)
        raise WrongMethod(f"{method} is not allowed here", {"method": [f"one of {listed}"]}, headers={"Allow": listed})
    for name, value in args.items():
        if not _SAFE_ID.match(value) or value in (".", ".."):
            raise NotFound(f"no {name.removesuffix('_id')} {value}", {name: ["unknown"]})
    return routes[index], args


def forward(route: Route, shop_id: str, args: dict[str, str], caller: Caller) -> Response:
    """The public request, as it came, to its service; the service's answer as the response."""
    content_type = request.content_type
    if route.multipart:
        body, (raw, content_type) = None, _form_body(route, caller)
    else:
        body, raw = _request_body(route, caller)
    if caller.role == BUYER:
        _check_owned(route, shop_id, args, body or {}, caller)
    answer = _send(
        route,
        shop_id,
        args,
        request.method,
        body=body,
        raw=raw,
        params=_query(route, caller, request.args.items(multi=True)),
        content_type=content_type,
    )
    if caller.role == BUYER and answer.ok:
        refused = _foreign_rows(route, answer, caller)
        if refused is not None:
            return refused
    return passed_through(answer)


def call(
    route: Route,
    shop_id: str,
    args: dict[str, str],
    caller: Caller,
    method: str,
    body: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> ServiceResponse:
    """The same call made by a page of the gateway (staff only): the acting fields set exactly as for a public
    request, the service's answer returned as it is."""
    if caller.role == BUYER:
        raise ValueError("pages call the staff routes only")
    if method in _BODY_METHODS:
        body = dict(body or {})
        _set_acting(route, caller, body)
    else:
        body = None
    pairs = [(k, v) for k, values in (params or {}).items() for v in (values if isinstance(values, list) else [values])]
    return _send(route, shop_id, args, method, body=body, params=_query(route, caller, pairs))


def _send(
    route: Route,
    shop_id: str,
    args: dict[str, str],
    method: str,
    *,
    body: dict | None,
    raw: bytes | None = None,
    params: list[tuple[str, str]],
    content_type: str | None = None,
) -> ServiceResponse:
    path = route.service_path
    for name, value in args.items():
        path = path.replace(f"<{name}>", quote(value, safe=""))
    return client_for(route.service).request(
        method,
        f"/shops/{quote(shop_id, safe='')}{path}",
        json=body if body is not None else None,
        data=raw,
        params=params,
        headers={"Content-Type": content_type} if raw is not None and content_type else None,
    )


def passed_through(answer: ServiceResponse) -> Response:
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    for header in _PASSED_HEADERS:
        value = answer.headers.get(header)
        if value:
            response.headers[header] = value
    return response


def _request_body(route: Route, caller: Caller) -> tuple[dict | None, bytes | None]:
    """(JSON to send, None) when the gateway sets fields; (None, raw bytes) when the body passes as it is."""
    if request.method not in _BODY_METHODS:
        return None, None
    sets_fields = route.acting or route.fixed or route.customer_body or (caller.role == BUYER and route.owned)
    raw = request.get_data()
    if not sets_fields:
        return None, raw
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise ShopLabError("the request body is not valid JSON", {"body": ["malformed JSON"]}) from None
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object", {"body": ["a JSON object"]})
    _set_acting(route, caller, body)
    return body, None


def _form_body(route: Route, caller: Caller) -> tuple[bytes, str]:
    """A file upload passed on with its acting form fields set (any other value refused, as in a JSON body): the
    form is read and written again, since the service's parser reads the fields from the multipart body."""
    if not request.files:
        raise InvalidInput("send the file as multipart/form-data", {"file": ["a .csv or .xlsx file is required"]})
    fields: dict[str, Any] = dict(request.form.items())
    _set_acting(route, caller, fields)
    parts: list[tuple[str, Any]] = [(name, str(value)) for name, value in fields.items()]
    for name, upload in request.files.items(multi=True):
        parts.append((name, (upload.filename or "", upload.read(), upload.mimetype or "application/octet-stream")))
    return encode_multipart_formdata(parts)


def _set_acting(route: Route, caller: Caller, body: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in route.acting:
        if body.get(name) not in (None, caller.agent_id):
            errors[name] = ["set from your sign-in: you act as yourself (leave it out)"]
        body[name] = caller.agent_id
    fixed = route.fixed_for_instructor if caller.role == INSTRUCTOR and route.fixed_for_instructor else route.fixed
    for name, value in fixed.items():
        if name in body and body[name] != value and not (value is None and body[name] in (None, "")):
            errors[name] = [f"set by the gateway to {json.dumps(value)} here (leave it out)"]
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    if caller.customer is not None:
        _set_customer(route, caller.customer, body, errors)
    if errors:
        raise InvalidInput("some fields name someone other than you", errors)


def _set_customer(route: Route, customer: BuyerCustomer, body: dict[str, Any], errors: dict) -> None:
    for name, attribute in route.customer_body.items():
        if attribute == "*":  # the whole buyer, as the orders service takes it
            given = body.get(name)
            if isinstance(given, dict) and given.get("customer_id") not in (None, customer.customer_id):
                errors[name] = {"customer_id": ["you act as the customer named by X-Customer-Id"]}
            body[name] = customer_details(customer)
        elif attribute == "language":  # a default: a customer may write in another language
            body.setdefault(name, customer.language)
        else:
            value = getattr(customer, attribute)
            if body.get(name) not in (None, value):
                errors[name] = ["set from the customer named by X-Customer-Id (leave it out)"]
            body[name] = value


def customer_details(customer: BuyerCustomer) -> dict[str, str]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "country": customer.country,
        "timezone": customer.timezone,
        "language": customer.language,
    }


def _query(route: Route, caller: Caller, given) -> list[tuple[str, str]]:
    forced = dict(route.query_fixed)
    if route.customer_query and caller.customer is not None:
        forced[route.customer_query] = caller.customer.customer_id
    params = [(k, str(v)) for k, v in given if k not in forced]
    return params + list(forced.items())


def _check_owned(route: Route, shop_id: str, args: dict, body: dict, caller: Caller) -> None:
    """Each order, ticket or dispute the buyer names must be their customer's: else 404, as if it did not exist."""
    for name in route.owned:
        value = args.get(name) or body.get(name)
        if not value:
            continue
        if not isinstance(value, str) or not _SAFE_ID.match(value) or value in (".", ".."):
            raise NotFound(f"no such {name.removesuffix('_id')}", {name: ["unknown"]})
        service, sub_path, noun = _OWNER_LOOKUPS[name]
        answer = client_for(service).get(f"/shops/{quote(shop_id, safe='')}{sub_path.format(quote(value, safe=''))}")
        if answer.status == 404 or (answer.ok and (answer.json() or {}).get("customer_id") != _cid(caller)):
            raise NotFound(f"no {noun} {value}", {name: [f"unknown {noun}"]})
        if not answer.ok:
            raise _passed_error(answer)


def _foreign_rows(route: Route, answer: ServiceResponse, caller: Caller) -> Response | None:
    if route.owner_in_response and (answer.json() or {}).get("customer_id") != _cid(caller):
        noun = route.path.split("/")[1].rstrip("s")
        refused = jsonify(error="not_found", message=f"no such {noun}", fields={f"{noun}_id": [f"unknown {noun}"]})
        refused.status_code = 404
        return refused
    if route.only_customer_rows:
        rows = answer.json() or []
        return jsonify([row for row in rows if row.get("customer_id") == _cid(caller)])
    if route.shop_only:
        body = answer.json() or {}
        return jsonify({name: value for name, value in body.items() if name not in route.shop_only})
    return None


def _cid(caller: Caller) -> str | None:
    return caller.customer.customer_id if caller.customer else None


class _PassedError(ShopLabError):
    pass


def _passed_error(answer: ServiceResponse) -> ShopLabError:
    body = answer.json() if answer.body else {}
    error = _PassedError(body.get("message", "the service refused"), body.get("fields") or {})
    error.status = answer.status
    error.code = body.get("error", "error")
    return error
