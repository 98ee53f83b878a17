"""``make run`` (``python -m shoplab.supervisor``) on free ports: every process up and green within 60 s, URLs and
logins printed, a shop opened in the gateway known to all four services within a second, the gateway's /healthz
prompt while a service hangs, Ctrl-C stops every child, and a second start right after works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from shoplab.plumbing.auth import HEADER
from tests.ports import free_port
from tests.stack import PROJECT_ROOT, eventually

SERVICES = ("gateway", "orders", "tickets", "reviews", "crm")
SUBSCRIBERS = SERVICES[1:]
READY_SECONDS = 60
pytestmark = pytest.mark.slow


class MakeRun:
    """The supervisor as a developer starts it, with its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.lines: list[str] = []
        self.process: subprocess.Popen | None = None

    def start(self) -> MakeRun:
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shoplab.supervisor"],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_up(self) -> float:
        started = time.monotonic()
        eventually(
            lambda: "ShopLab is up" in self.output or self.process.poll() is not None,
            timeout=READY_SECONDS + 5,
            interval=0.2,
            message="the ready banner",
        )
        assert "ShopLab is up" in self.output, self.output[-4000:]
        return time.monotonic() - started

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def descendants(self) -> list[int]:
        """Every process below the supervisor: web servers and their workers, Celery and its pool, beat, Redis."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        found, frontier = [], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found.extend(children)
            frontier.extend(children)
        return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def url(env: dict[str, str], service: str) -> str:
    return f"http://127.0.0.1:{env[f'SHOPLAB_{service.upper()}_PORT']}"


@pytest.fixture
def run_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("DATABASE_URL")}
    env.update(
        PYTHONUNBUFFERED="1",
        SHOPLAB_VAR_DIR=str(tmp_path / "var"),
        SHOPLAB_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        SHOPLAB_WEB_WORKERS="1",
    )
    for service in SERVICES:
        env[f"SHOPLAB_{service.upper()}_PORT"] = str(free_port())
        env.pop(f"SHOPLAB_{service.upper()}_URL", None)
    return env


def test_make_run_comes_up_green_serves_and_stops_cleanly_twice(run_env):
    run = MakeRun(run_env).start()
    try:
        took = run.wait_up()
        assert took < READY_SECONDS
        banner = run.output
        for service in SERVICES:
            assert url(run_env, service) in banner, f"{service} URL printed"
        assert "teacher" in banner and "teacher-demo" in banner  # the demo logins
        for service in SERVICES:
            response = requests.get(f"{url(run_env, service)}/healthz", timeout=5)
            assert response.status_code == 200, response.text

        gateway = url(run_env, "gateway")
        login = requests.post(
            f"{gateway}/api/v1/auth/login", json={"username": "teacher", "password": "teacher-demo"}, timeout=5
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        opened = requests.post(
            f"{gateway}/api/v1/shops", json={"name": "E2E 店", "platform": "amazon"}, headers=headers, timeout=5
        )
        assert opened.status_code == 201, opened.text
        shop_id = opened.json()["id"]
        internal = {HEADER: run_env["SHOPLAB_INTERNAL_TOKEN"]}

        def known_everywhere() -> bool:
            return all(
                requests.get(f"{url(run_env, s)}/shops/{shop_id}", headers=internal, timeout=1).status_code == 200
                for s in SUBSCRIBERS
            )

        eventually(known_everywhere, timeout=1.0, interval=0.05, message="shop known to all four within a second")

        # a service that hangs: the gateway's /healthz still answers within 2 s, and says which one
        orders_web = next(pid for pid in run.descendants() if _is_web_master(pid, run_env["SHOPLAB_ORDERS_PORT"]))
        os.killpg(orders_web, signal.SIGSTOP)
        try:
            started = time.monotonic()
            health = requests.get(f"{gateway}/healthz", timeout=10)
            took = time.monotonic() - started
        finally:
            os.killpg(orders_web, signal.SIGCONT)
        assert health.status_code == 503 and took < 2.0, (health.status_code, took)
        assert health.json()["services"]["orders"]["status"] == "down"
        assert health.json()["services"]["crm"]["status"] == "up"

        children = run.descendants()
        assert len(children) >= 12  # redis, 5 web, 5 workers, beat (and their own children)
    finally:
        code = run.interrupt()
    assert code == 0, run.output[-3000:]
    eventually(lambda: not [pid for pid in children if alive(pid)], timeout=5, message="no process left behind")
    assert "supervisor: stopping" in run.output

    again = MakeRun(run_env).start()  # at once: ports, Redis data and the databases are free to take again
    try:
        again.wait_up()
        health = requests.get(f"{url(run_env, 'gateway')}/healthz", timeout=5)
        assert health.status_code == 200, health.text
        assert requests.get(f"{url(run_env, 'crm')}/shops/{shop_id}", headers=internal, timeout=5).status_code == 200
        children = again.descendants()
    finally:
        code = again.interrupt()
    assert code == 0, again.output[-3000:]
    eventually(lambda: not [pid for pid in children if alive(pid)], timeout=5, message="no process left behind")


def _is_web_master(pid: int, port: str) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"gunicorn" in b" ".join(command) and f"127.0.0.1:{port}".encode() in command and os.getpgid(pid) == pid
