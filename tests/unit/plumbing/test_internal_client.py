"""The internal client: the credential sent, answers passed through as they are, a dead service a clear 503, and a
POST never sent twice."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shoplab.plumbing.auth import HEADER
from shoplab.plumbing.internal_client import InternalClient, ServiceUnavailable
from tests.ports import free_port


@pytest.fixture
def service(monkeypatch):
    seen: list[tuple[str, str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append((self.command, self.path, self.headers.get(HEADER)))
            if self.path == "/slow":
                threading.Event().wait(2)
            body = json.dumps({"error": "conflict", "message": "no", "fields": {"state": ["is paid"]}}).encode()
            self.send_response(409)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SHOPLAB_ORDERS_URL", f"http://127.0.0.1:{server.server_port}")
    yield seen
    server.shutdown()


def test_an_error_passes_through_as_the_service_sent_it(service):
    answer = InternalClient("orders", token="t0k").post("/shops/s1/orders/o1/cancel", json={"by": "seller"})
    assert answer.status == 409
    assert answer.json() == {"error": "conflict", "message": "no", "fields": {"state": ["is paid"]}}
    assert service == [("POST", "/shops/s1/orders/o1/cancel", "t0k")]


def test_a_service_that_is_down_is_a_503_naming_it(monkeypatch):
    monkeypatch.setenv("SHOPLAB_ORDERS_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServiceUnavailable) as caught:
        InternalClient("orders", token="t").get("/shops/s1/orders")
    assert caught.value.status == 503 and "orders" in caught.value.message


def test_a_post_that_timed_out_is_not_sent_again(service, monkeypatch):
    with pytest.raises(ServiceUnavailable):
        InternalClient("orders", token="t").post("/slow", json={}, timeout=0.3)
    assert [method for method, *_ in service] == ["POST"]
