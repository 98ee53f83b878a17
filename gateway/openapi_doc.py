"""The public API's one OpenAPI document, generated: the gateway's own routes come from its flask-smorest views; the
forwarded ones are the services' own operations (built in-process from their flask-smorest blueprints, so their
marshmallow schemas are the request and response shapes), moved under ``/api/v1/shops/{shop_id}`` and
``/api/v1/buyer/shops/{shop_id}`` as ``gateway/routes.py`` maps them, with who may call each and which fields the
gateway sets. The services' component schemas are kept under their service's prefix (``Orders``, ``Tickets``)."""

from __future__ import annotations

import copy
import importlib
import logging
import re
from typing import Any

from apispec import APISpec
from flask import Flask

from gateway.routes import BUYER_ROUTES, STAFF_ROUTES, Route
from shoplab.plumbing import api_document
from shoplab.topology import SERVICES

log = logging.getLogger(__name__)

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/login's token"},
    "buyerKey": {"type": "http", "scheme": "bearer", "description": "a shop's buyer key (bk_...), buyer API only"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "shoplab_session",
                      "description": "browser sign-in (POST /api/v1/auth/session); with X-CSRF-Token on writes"},
    **api_document.SECURITY_SCHEMES,  # the bus routes (dead letters, the shop copy) keep the internal credential
}  # fmt: skip
SIGNED_IN = [{"bearerAuth": []}, {"sessionCookie": []}]
BUYER_KEY = [{"buyerKey": []}]
OPEN = ("/api/v1/auth/login", "/api/v1/auth/session")


def security_for(path: str) -> list[dict[str, list]]:
    """The gateway's own operations: signing in is open, the buyer API takes a buyer key, the rest of the public
    API a sign-in, everything else (the bus routes, the simulator's ``/internal/...``) the internal credential."""
    if path in OPEN:
        return []
    if path.startswith("/api/v1/buyer/"):
        return BUYER_KEY
    return SIGNED_IN if path.startswith("/api/v1/") else api_document.internal_only(path)


_SHARED_SCHEMAS = ("ShopLabError",)  # the same in every document: kept once, unprefixed
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def service_document(service: str) -> dict[str, Any]:
    """A service's OpenAPI document, built from its blueprints without its database."""
    module = importlib.import_module(f"{SERVICES[service].package}.api")
    blueprints = getattr(module, "BLUEPRINTS", None) or [module.blp]
    app = Flask(f"{service}-document")
    app.config.update(API_TITLE=service, API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = api_document.ShopLabApi(app)
    api_document.install_api_document(api)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return api.spec.to_dict()


def add_public_routes(spec: APISpec) -> None:
    documents = {}
    for service in sorted({route.service for route in STAFF_ROUTES + BUYER_ROUTES}):
        try:
            documents[service] = service_document(service)
        except Exception:  # the gateway still serves; the test of the document fails loudly
            log.exception("the %s service's API document could not be built", service)
            continue
        for name, schema in documents[service].get("components", {}).get("schemas", {}).items():
            if name in _SHARED_SCHEMAS:
                continue
            spec.components.schema(_prefixed(service, name), _rewrite_refs(service, schema))
    paths: dict[str, dict[str, Any]] = {}
    for prefix, routes in (("/api/v1/shops/{shop_id}", STAFF_ROUTES), ("/api/v1/buyer/shops/{shop_id}", BUYER_ROUTES)):
        for route in routes:
            if route.service not in documents:
                continue
            operation = _operation(documents[route.service], route)
            if operation is not None:
                paths.setdefault(prefix + _openapi_path(route.path), {})[route.method.lower()] = operation
    plugins, spec.plugins = spec.plugins, []  # the Flask plugin wants a view; these operations are finished already
    try:
        for path, operations in paths.items():
            spec.path(path=path, operations=operations)
    finally:
        spec.plugins = plugins


def _operation(document: dict, route: Route) -> dict | None:
    service_path = "/shops/{shop_id}" + _openapi_path(route.service_path)
    source = document.get("paths", {}).get(service_path, {}).get(route.method.lower())
    if source is None:
        log.warning("no %s %s in the %s document", route.method, service_path, route.service)
        return None
    operation = _rewrite_refs(route.service, copy.deepcopy(source))
    path_level = document["paths"][service_path].get("parameters", [])
    names = re.findall(r"\{(\w+)\}", "/shops/{shop_id}" + _openapi_path(route.path))
    operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("in") != "path"] + [
        {"in": "path", "name": name, "required": True, "schema": {"type": "string"}} for name in names
    ] + [p for p in path_level if p.get("in") != "path"]  # fmt: skip
    if route.customer_query:
        operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != route.customer_query]
    buyer = "buyer" in route.who
    if buyer:
        operation["parameters"].append(
            {"in": "header", "name": "X-Customer-Id", "required": bool(route.names_customer),
             "schema": {"type": "string"}, "description": "the registered customer the buyer key acts as"}
        )  # fmt: skip
    operation["security"] = BUYER_KEY if buyer else SIGNED_IN
    operation["tags"] = [("buyer " if buyer else "") + route.service]
    operation["operationId"] = (
        re.sub(r"\W+", "_", f"{'buyer ' if buyer else ''}{route.method} {route.path}").strip("_").lower()
    )
    operation["description"] = _notes(route, operation.get("description", ""))
    responses = operation.setdefault("responses", {})
    for status, what in (("401", "not signed in"), ("403", "your role may not"), ("404", "not in your reach")):
        responses[status] = {"description": what, "content": api_document.error_content()}
    responses["503"] = {"description": "the service did not answer", "content": api_document.error_content()}
    responses["default"] = {"description": "an error, as the service gave it", "content": api_document.error_content()}
    return operation


def _notes(route: Route, description: str) -> str:
    notes = [f"Forwarded to the {route.service} service. Who: {', '.join(sorted(route.who))}."]
    if route.acting:
        notes.append(f"Set by the gateway to the signed-in student: {', '.join(route.acting)} (leave out).")
    if route.fixed:
        notes.append("Set by the gateway: " + ", ".join(f"{k}={v!r}" for k, v in route.fixed.items()) + ".")
    if route.customer_body:
        notes.append(f"From the customer (X-Customer-Id): {', '.join(route.customer_body)}.")
    if route.owned or route.owner_in_response or route.only_customer_rows or route.customer_query:
        notes.append("Only the customer's own orders, conversations and disputes.")
    return "\n\n".join(filter(None, [description, " ".join(notes)]))


def _openapi_path(path: str) -> str:
    return _PARAM.sub(r"{\1}", path)


def _prefixed(service: str, name: str) -> str:
    return name if name in _SHARED_SCHEMAS else f"{service.capitalize()}{name}"


def _rewrite_refs(service: str, node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                f"#/components/schemas/{_prefixed(service, value.rsplit('/', 1)[1])}"
                if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/")
                else _rewrite_refs(service, value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(service, item) for item in node]
    return node
