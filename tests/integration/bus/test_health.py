"""``/healthz`` tells the truth about a service's parts: 503 when Redis or the database is down, a worker killed
outright shows ``down`` within 2 s, a restarted one shows its short uptime and its extra start, and a worker that
is alive but consumes nothing while messages wait shows ``stalled``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import psycopg

from shoplab.eventbus import heartbeat
from shoplab.eventbus.celery_setup import QueueSender
from tests.integration.bus.subscribers import inbox_rows, start_probes, write_lock
from tests.integration.bus.test_redelivery import shop_opened
from tests.stack import eventually


def healthz(stack, service: str = "crm") -> tuple[int, dict]:
    response = stack.client(service).get("/healthz")
    return response.status_code, response.get_json()


def worker_check(stack, service: str = "crm") -> dict:
    return healthz(stack, service)[1]["checks"]["worker"]


# Not about the database: /healthz reads the worker's state from Redis (SQLite is enough).
def test_a_worker_killed_outright_is_down_within_two_seconds_and_its_restart_shows(sqlite_stack):
    stack = sqlite_stack
    [worker] = start_probes(stack, ["crm"])
    status, body = healthz(stack)
    assert status == 200, body
    first = body["checks"]["worker"]
    assert first["status"] == "up" and first["starts_last_hour"] == 1 and first["uptime_seconds"] < 60

    worker.kill()  # SIGKILL, main process and pool child: no goodbye
    killed_at = time.monotonic()
    eventually(lambda: worker_check(stack)["status"] == "down", timeout=3, interval=0.02)
    took = time.monotonic() - killed_at
    assert took <= 2.1, f"down only after {took:.2f} s"
    status, body = healthz(stack)
    assert status == 503 and body["checks"]["worker"]["last_heartbeat_seconds_ago"] >= 0

    worker.start()  # as the supervisor would, at once
    status, body = healthz(stack)
    assert status == 200, body
    again = body["checks"]["worker"]
    assert again["status"] == "up"
    assert again["starts_last_hour"] == 2  # the restart shows, however quick it was
    assert again["uptime_seconds"] < time.monotonic() - killed_at + 1


def test_healthz_is_503_with_redis_down_and_answers_at_once(own_redis_stack):
    stack, server = own_redis_stack
    stack.worker("crm")
    assert healthz(stack)[0] == 200
    server.kill()
    started = time.monotonic()
    status, body = healthz(stack)
    assert time.monotonic() - started < 3
    assert status == 503
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["worker"]["status"] == "unknown"
    assert body["checks"]["database"]["status"] == "up"
    server.start()
    eventually(lambda: healthz(stack)[0] == 200, timeout=15, message="green again once Redis is back")


def test_healthz_is_503_with_the_database_down(stack):
    stack.worker("crm")
    assert healthz(stack)[0] == 200
    runtime = stack.runtime("crm")
    if stack.backend == "sqlite":
        path = Path(runtime.db.engine.url.database)
        shutil.move(path, path.with_suffix(".away"))
        path.mkdir()  # what stands there now is no database
    else:
        name = runtime.db.engine.url.database
        with psycopg.connect(stack.postgres.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    runtime.db.engine.dispose()  # as a process started now would: no connection opened before
    status, body = healthz(stack)
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down" and body["checks"]["database"]["error"]
    assert body["checks"]["redis"]["status"] == "up"
    if stack.backend == "sqlite":  # put it back, so the stack closes as usual
        path.rmdir()
        shutil.move(path.with_suffix(".away"), path)


def test_a_worker_that_consumes_nothing_while_messages_wait_is_stalled(stack, monkeypatch):
    monkeypatch.setattr(heartbeat, "STALLED_AFTER_SECONDS", 2)  # 30 s in a real run
    [worker] = start_probes(stack, ["crm"])
    stuck, waiting = shop_opened("stuck"), shop_opened("waiting")
    with write_lock(stack, "crm"):  # its handler waits on the database: alive, beating, consuming nothing
        QueueSender()("crm", stuck)
        QueueSender()("crm", waiting)
        eventually(lambda: stack.redis.hlen("unacked") == 1 and stack.redis.llen("crm") == 1, message="one taken")
        check = eventually(lambda: (c := worker_check(stack))["status"] == "stalled" and c, timeout=10)
        assert check["waiting"] == 1 and check["last_heartbeat_seconds_ago"] < 2
        assert healthz(stack)[0] == 503
    eventually(lambda: inbox_rows(stack, "crm") == 2, message="both handled once the database lets go")
    eventually(lambda: worker_check(stack)["status"] == "up", message="up again")
    assert worker.process.poll() is None
