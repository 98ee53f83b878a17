"""The route table against the services' own API documents: every forwarded route is an operation of its service,
every field the gateway sets is a field of that operation's request body, and the gateway's document has them all."""

from __future__ import annotations

import re

import pytest

from gateway.openapi_doc import service_document
from gateway.routes import BUYER_ROUTES, STAFF_ROUTES, Route
from services.crm.schemas import ImportForm  # the one upload among the forwarded routes

DOCUMENTS = {service: service_document(service) for service in ("orders", "tickets", "reviews", "crm")}
ALL = [pytest.param(route, id=f"{'buyer' if 'buyer' in route.who else 'staff'} {route.method} {route.path}")
       for route in STAFF_ROUTES + BUYER_ROUTES]  # fmt: skip


def _operation(route: Route) -> dict:
    path = "/shops/{shop_id}" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.service_path)
    return DOCUMENTS[route.service]["paths"].get(path, {}).get(route.method.lower())


def _body_fields(service: str, operation: dict) -> set[str]:
    content = operation["requestBody"]["content"]
    if "multipart/form-data" in content:  # the document shows the file part only: the form's own schema says the rest
        return set(ImportForm().fields)
    ref = content["application/json"]["schema"]["$ref"]
    schema = DOCUMENTS[service]["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return set(schema.get("properties", {}))


@pytest.mark.parametrize("route", ALL)
def test_every_route_is_an_operation_of_its_service_and_sets_only_its_fields(route):
    operation = _operation(route)
    assert operation is not None, f"the {route.service} service has no {route.method} {route.service_path}"
    set_fields = set(route.acting) | set(route.fixed) | set(route.fixed_for_instructor or {}) | set(route.customer_body)
    if set_fields:
        assert set_fields <= _body_fields(route.service, operation), "a field the gateway sets is not the service's"
    query_names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    for name in [route.customer_query, *route.query_fixed]:
        if name:
            assert name in query_names


def test_no_route_twice_and_every_acting_field_of_the_services_is_set():
    for table in (STAFF_ROUTES, BUYER_ROUTES):
        keys = [(route.method, route.path) for route in table]
        assert len(keys) == len(set(keys))
    # the fields that name the acting person in the services' request bodies: none reaches a service unset from a
    # student's request (an instructor-only route's agent_id names the target of an assignment, not the actor)
    acting_names = {"agent_id", "sent_by", "noted_by", "shipped_by", "changed_by", "requested_by", "decided_by", "by"}
    for route in STAFF_ROUTES + BUYER_ROUTES:
        operation = _operation(route)
        if "requestBody" not in operation or route.who == {"instructor"}:
            continue
        named = _body_fields(route.service, operation) & acting_names
        assert named <= set(route.acting) | set(route.fixed), (route.method, route.path, named)


def test_the_gateway_document_has_every_route(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPLAB_VAR_DIR", str(tmp_path))
    from gateway.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}"})
    document = app.test_client().get("/openapi.json").get_json()
    for prefix, table in (("/api/v1/shops/{shop_id}", STAFF_ROUTES), ("/api/v1/buyer/shops/{shop_id}", BUYER_ROUTES)):
        for route in table:
            path = prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.path)
            operation = document["paths"][path][route.method.lower()]
            assert operation["security"] == ([{"buyerKey": []}] if "buyer" in route.who else
                                             [{"bearerAuth": []}, {"sessionCookie": []}])  # fmt: skip
            refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(operation).replace("'", '"'))
            assert all(ref in document["components"]["schemas"] for ref in refs)
    assert set(document["components"]["schemas"]["ShopLabError"]["required"]) == {"error", "message", "fields"}
    for own in (
        "/api/v1/auth/login",
        "/api/v1/classes/{class_id}/students/import",
        "/api/v1/shops/{shop_id}/stream",
        "/api/v1/shops/{shop_id}/conversations/{ticket_id}",
        "/api/v1/shops/{shop_id}/buyer-keys",
    ):
        assert own in document["paths"]
