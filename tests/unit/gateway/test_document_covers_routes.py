"""Every API route the gateway serves is an operation of its ``/openapi.json``, with the credential it takes.

The route table's forwarded routes are held to the document by ``test_route_table.py``; this walks the app's own
URL map instead, so a view added outside flask-smorest (a plain Flask blueprint never reaches the document) fails
here. The forwarding catch-alls (``<path:sub_path>``) are left out: the document lists what they forward, route by
route. Web pages, assets, health and metrics are not the API."""

from __future__ import annotations

import re

import pytest

from gateway.allowed_methods import CATCH_ALL
from gateway.openapi_doc import OPEN, SIGNED_IN

API_PREFIXES = ("/api/v1/", "/internal/")
_PARAM = re.compile(r"<(?:[^<>:]+:)?(\w+)>")  # <shop_id>, <path:sub_path>, <int(max=2147483647):letter_id>


@pytest.fixture(scope="module")
def app_and_document(tmp_path_factory):
    var = tmp_path_factory.mktemp("gateway-var")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHOPLAB_VAR_DIR", str(var))
        from gateway.app import create_app

        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{var / 'gateway.sqlite3'}"})
        document = app.test_client().get("/openapi.json").get_json()
    return app, document


def _api_operations(app) -> list[tuple[str, str]]:
    """(method, OpenAPI path) of every API rule the app serves itself."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CATCH_ALL or not rule.rule.startswith(API_PREFIXES):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, _PARAM.sub(r"{\1}", rule.rule)))
    return found


def _expected_security(path: str) -> list[dict[str, list]]:
    if path.startswith("/internal/"):
        return [{"internalToken": []}]
    if path.startswith("/api/v1/buyer/"):
        return [{"buyerKey": []}]
    return [] if path in OPEN else SIGNED_IN


def test_every_api_route_is_documented_with_its_credential(app_and_document):
    app, document = app_and_document
    operations = _api_operations(app)
    assert any(path.startswith("/internal/") for _, path in operations)  # the simulator's routes are walked
    missing, wrong = [], []
    for method, path in operations:
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            missing.append(f"{method} {path}")
        elif operation.get("security") != _expected_security(path):
            wrong.append(f"{method} {path}: {operation.get('security')}")
    assert not missing, "not in /openapi.json:\n" + "\n".join(missing)
    assert not wrong, "documented with the wrong credential:\n" + "\n".join(wrong)


def test_every_documented_error_is_the_shoplab_error(app_and_document):
    """Every 4xx and 5xx an operation of the gateway's own documents is the one error body the gateway sends."""
    app, document = app_and_document
    wrong = []
    for method, path in _api_operations(app):
        operation = document["paths"].get(path, {}).get(method.lower(), {})
        for status, answer in operation.get("responses", {}).items():
            if status.startswith(("4", "5")):
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") != "#/components/schemas/ShopLabError":
                    wrong.append(f"{method} {path} {status}: {schema}")
    assert not wrong, "\n".join(wrong)
