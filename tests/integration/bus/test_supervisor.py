"""The supervisor of ``make run`` restarts what dies: Redis and anything killed by a signal at once, a process that
keeps exiting by itself soon after its start with a growing pause; one process's pause holds up no other."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time

import pytest
import redis

from shoplab.redis_server import redis_command
from shoplab.supervisor import Process, Supervisor, restart_pause
from tests.ports import free_port
from tests.stack import eventually

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_restart_pause_is_nil_for_redis_and_killed_processes_and_grows_for_early_exits():
    redis_process, web = Process("redis", [], ""), Process("gateway", [], "")
    assert [restart_pause(redis_process, 1, 0.1) for _ in range(5)] == [0.0] * 5  # even when it keeps failing
    assert restart_pause(web, -signal.SIGKILL, 0.1) == 0.0
    assert [restart_pause(web, 1, 0.1) for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert restart_pause(web, 0, 31.0) == 0.0  # it had run for a while: a fresh failure, not a loop
    assert restart_pause(web, 1, 0.1) == 1.0


@pytest.fixture
def supervisor():
    supervisor = Supervisor(output=io.StringIO())
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    yield supervisor, watcher
    supervisor.stop()
    watcher.join(5)


def start_all(supervisor: Supervisor, watcher: threading.Thread) -> None:
    for process in supervisor.processes:
        supervisor.start(process)
    watcher.start()


def test_redis_and_a_killed_process_come_back_at_once_while_a_failing_one_waits(supervisor, tmp_path):
    supervisor, watcher = supervisor
    port = free_port()
    redis_process = supervisor.add("redis", redis_command(port, tmp_path / "redis"))
    worker = supervisor.add("crm-worker", SLEEPER)
    failing = supervisor.add("broken", [sys.executable, "-c", "import sys; sys.exit(3)"])
    start_all(supervisor, watcher)
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    eventually(client.ping, message="Redis up")
    eventually(lambda: failing.restarts >= 2, timeout=5, message="the failing one keeps being tried")

    for target in (redis_process, worker):
        pid = target.popen.pid
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        eventually(lambda t=target, p=pid: t.popen.pid != p and t.popen.poll() is None, timeout=2, interval=0.01)
        assert time.monotonic() - killed_at < 0.5, f"{target.name} restarted only after {time.monotonic() - killed_at}"
    eventually(client.ping, timeout=5, message="Redis answers again")
    assert client.ping()

    output = supervisor.output.getvalue()
    assert "redis exited (-9); restart now" in output
    assert "crm-worker exited (-9); restart now" in output
    assert "broken exited (3); restart in 1 s" in output and "broken exited (3); restart in 2 s" in output
