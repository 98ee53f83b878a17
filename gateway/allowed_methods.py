"""Which methods a public path takes, for ``405`` and ``OPTIONS`` answers: the gateway's own views at that path and
the forwarded routes of ``gateway/routes.py`` — never the catch-all rules that dispatch the forwarded routes, which
take every method (werkzeug alone would answer ``Allow: GET, HEAD, PATCH, DELETE, OPTIONS, POST, PUT`` everywhere
under a shop, and forward a ``PUT .../queue`` to the route table as an unknown path, 404)."""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from gateway.routes import BUYER_MAP, STAFF_MAP

CATCH_ALL = frozenset({"public_api.staff_route", "public_api.buyer_route"})
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_FORWARDED = (
    (re.compile(r"^/api/v1/shops/[^/]+(/.+)$"), STAFF_MAP),
    (re.compile(r"^/api/v1/buyer/shops/[^/]+(/.+)$"), BUYER_MAP),
)


def own_methods(path: str) -> set[str]:
    """Methods the gateway's own views (not the forwarding catch-alls) take at this path."""
    adapter = current_app.url_map.bind("gateway")
    found = set()
    for method in _METHODS:
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint not in CATCH_ALL:
            found.add(method)
    return found


def table_methods(path: str) -> set[str]:
    """Methods the forwarded routes take at this public path."""
    for pattern, route_map in _FORWARDED:
        matched = pattern.match(path)
        if matched:
            return _map_methods(route_map, matched.group(1))
    return set()


def allowed_methods(path: str) -> list[str]:
    """Every method this public path takes, as an ``Allow`` header lists them (empty: an unknown path)."""
    methods = own_methods(path) | table_methods(path)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"}) if methods else []


def _map_methods(route_map: Map, sub_path: str) -> set[str]:
    return set(route_map.bind("gateway").allowed_methods(sub_path)) & set(_METHODS)


def answer_options_truly(app: Flask) -> None:
    """``OPTIONS`` lists only what the path takes."""

    @app.after_request
    def _allow(response: Response) -> Response:
        if request.method == "OPTIONS" and request.path.startswith("/api/v1/"):
            methods = allowed_methods(request.path)
            if methods:
                response.headers["Allow"] = ", ".join(methods)
        return response
