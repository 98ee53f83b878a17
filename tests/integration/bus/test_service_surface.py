"""What every service shows the outside: /healthz, /openapi.json, /metrics, and JSON errors (never an HTML page)."""

from __future__ import annotations

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from shoplab.eventbus.celery_setup import QueueSender
from shoplab.plumbing.auth import HEADER
from tests.integration.bus.subscribers import SUBSCRIBERS, inbox_rows, queue_idle
from tests.integration.bus.test_redelivery import shop_opened
from tests.stack import eventually

EVERY_APP = ("gateway", *SUBSCRIBERS)
SHARED_PATHS = ("/shops/{shop_id}", "/dead-letters", "/dead-letters/{letter_id}/replay")
BUS_METRICS = ("shoplab_outbox_unsent", "shoplab_dead_letters", "shoplab_inbox_handled", "shoplab_queue_waiting")


def healthz(stack, service: str):
    response = stack.client(service).get("/healthz")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def metrics(stack, service: str) -> dict[str, float]:
    response = stack.client(service).get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            if sample.labels.get("service") == service:
                samples[sample.name] = sample.value
    return samples


def test_healthz_is_green_with_the_worker_up_and_says_down_when_it_stops(sqlite_stack):
    stack = sqlite_stack
    workers = dict(zip(SUBSCRIBERS, stack.start_workers(list(SUBSCRIBERS)), strict=True))
    for service in SUBSCRIBERS:
        status, body = healthz(stack, service)
        assert status == 200, body
        assert body["service"] == service and body["status"] == "up"
        assert body["checks"]["database"] == {"status": "up", "dialect": "sqlite"}
        assert body["checks"]["redis"]["status"] == "up"
        assert body["checks"]["worker"]["status"] == "up" and body["checks"]["worker"]["queue"] == service

    workers["crm"].stop()
    status, body = healthz(stack, "crm")
    assert status == 503
    assert body["status"] == "down" and body["checks"]["worker"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "up"
    assert healthz(stack, "reviews")[0] == 200  # the others are not affected

    # metrics count what really happened: one event handled by crm's worker once it is back
    workers["crm"].start()
    assert healthz(stack, "crm")[0] == 200
    before = metrics(stack, "crm")
    assert all(name in before for name in BUS_METRICS), before
    message = shop_opened("metered")
    QueueSender()("crm", message)
    eventually(lambda: inbox_rows(stack, "crm", message["id"]) == 1 and queue_idle(stack, "crm"))
    after = metrics(stack, "crm")
    assert after["shoplab_inbox_handled"] == before["shoplab_inbox_handled"] + 1
    assert after["shoplab_queue_waiting"] == 0 and after["shoplab_dead_letters"] == 0
    assert after["shoplab_http_requests_total"] >= 1


@pytest.mark.parametrize("service", EVERY_APP)
def test_openapi_documents_the_service(sqlite_stack, service):
    response = sqlite_stack.client(service).get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["paths"]
    if service != "gateway":
        assert set(SHARED_PATHS) <= set(document["paths"])
    else:
        assert {"/api/v1/shops", "/api/v1/shops/{shop_id}", "/api/v1/shops/{shop_id}/clock"} <= set(document["paths"])
    schemas = document.get("components", {}).get("schemas", {})
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        operations = {m: op for m, op in item.items() if m in {"get", "post", "put", "patch", "delete"}}
        assert operations, path
        for method, operation in operations.items():
            assert operation["responses"], f"{method} {path}"
            declared_here = declared | {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert set(re.findall(r"{(\w+)}", path)) == declared_here, f"{method} {path} path parameters"
    for ref in re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', response.get_data(as_text=True)):
        assert ref in schemas, f"dangling $ref {ref}"


def assert_json_error(response, status: int, error: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert "<html" not in response.get_data(as_text=True).lower()
    body = response.get_json()
    assert set(body) >= {"error", "message", "fields"} and body["message"]
    if error:
        assert body["error"] == error
    return body


@pytest.mark.parametrize("service", SUBSCRIBERS)
def test_every_service_error_is_json_with_a_clear_reason(sqlite_stack, service):
    client = sqlite_stack.client(service)
    assert_json_error(client.get("/no/such/page"), 404, "not_found")
    body = assert_json_error(client.get("/shops/nope"), 404, "not_found")
    assert body["fields"] == {"shop_id": ["unknown shop"]}
    assert_json_error(client.delete("/healthz"), 405, "method_not_allowed")
    body = assert_json_error(client.get("/dead-letters", query_string={"include_replayed": "maybe"}), 422)
    assert body["error"] == "invalid_input" and "include_replayed" in body["fields"]
    body = assert_json_error(client.get("/dead-letters", headers={HEADER: "forged"}), 401)
    assert HEADER in body["fields"]
    big = b"{" + b" " * (1024 * 1024 + 1) + b"}"
    assert_json_error(client.post("/dead-letters/1/replay", data=big, content_type="application/json"), 413)
    assert_json_error(client.post("/dead-letters/999/replay"), 404, "not_found")
    # an unexpected failure (its table gone) is a JSON 500 too, without the internals
    with sqlite_stack.runtime(service).db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE dead_letters RENAME TO dead_letters_away"))
    body = assert_json_error(client.get("/dead-letters"), 500, "internal_error")
    assert "dead_letters" not in body["message"]


def test_gateway_errors_are_json_too(sqlite_stack):
    client = sqlite_stack.client("gateway")
    assert_json_error(client.get("/api/v1/nothing"), 404, "not_found")
    assert_json_error(client.delete("/api/v1/shops"), 405, "method_not_allowed")
    body = assert_json_error(client.post("/api/v1/auth/login", json={"username": "teacher"}), 422)
    assert "password" in body["fields"]
    assert_json_error(client.get("/api/v1/shops"), 401)
    big = b"{" + b" " * (1024 * 1024 + 1) + b"}"
    assert_json_error(client.post("/api/v1/auth/login", data=big, content_type="application/json"), 413)


def test_gateway_healthz_answers_within_two_seconds_when_services_are_away(sqlite_stack, monkeypatch):
    import socket
    import time

    from tests.ports import free_port

    stack = sqlite_stack
    stack.worker("gateway")
    # one service accepts connections but never answers (hung); the others are not listening at all
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        monkeypatch.setenv("SHOPLAB_ORDERS_URL", f"http://127.0.0.1:{hung.getsockname()[1]}")
        for service in ("tickets", "reviews", "crm"):
            monkeypatch.setenv(f"SHOPLAB_{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
        started = time.monotonic()
        response = stack.client("gateway").get("/healthz")
        took = time.monotonic() - started
    assert response.status_code == 503
    body = response.get_json()
    assert body["services"]["gateway"]["status"] == "up", body
    assert {name: body["services"][name]["status"] for name in SUBSCRIBERS} == dict.fromkeys(SUBSCRIBERS, "down")
    assert took < 2.0, f"the gateway's /healthz took {took:.2f} s"
