"""A client that pauses between requests keeps its connection: the web processes outwait their clients.

Under the promotion-day load test, locust users (pausing 1-5 s between requests, as shoppers do) were now and then
reset: gunicorn's default keep-alive of 2 s closed an idle connection just as the user sent the next request on it.
The web processes are started by ``shoplab.supervisor.gunicorn_command`` (``make run``, compose's are checked
against it, the benchmarks): this starts one exactly so and pauses longer than gunicorn's default between two
requests on one connection.
"""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from shoplab import settings
from shoplab.supervisor import gunicorn_command
from tests.ports import free_port

REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"
GUNICORN_DEFAULT_KEEPALIVE_SECONDS = 2


@pytest.fixture
def web_process():
    port = free_port()
    process = subprocess.Popen(gunicorn_command("tests.integration.web.hello_wsgi:app", f"127.0.0.1:{port}", 2))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not listen within 30 s"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answer(connection: socket.socket) -> bytes:
    connection.sendall(REQUEST)
    received = b""
    while not received.endswith(b"ok"):
        chunk = connection.recv(4096)
        if not chunk:
            return received  # the server closed the connection
        received += chunk
    return received


def test_an_idle_connection_still_answers_after_a_shoppers_pause(web_process):
    assert settings.web_keepalive_seconds() > GUNICORN_DEFAULT_KEEPALIVE_SECONDS + 2
    with socket.create_connection(("127.0.0.1", web_process), timeout=10) as connection:
        assert _answer(connection).startswith(b"HTTP/1.1 200")
        time.sleep(GUNICORN_DEFAULT_KEEPALIVE_SECONDS + 1.5)
        second = _answer(connection)
    assert second.startswith(b"HTTP/1.1 200"), f"the idle connection was closed: {second!r}"
