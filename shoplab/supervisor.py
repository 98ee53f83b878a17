"""``make run``: start the whole shop with one command and keep it running.

Redis, the five web processes (gunicorn), one Celery worker per service, the scheduler and the buyer simulator, each
restarted if it dies (Redis and anything killed by a signal at once; a process that keeps exiting by itself soon
after its start with a growing pause, up to 10 s); log lines prefixed by process; the demo class seeded (and its demo
scenario started); URLs and logins printed once every ``/healthz`` is green; Ctrl-C stops everything cleanly so
``make run`` can start again at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import urlparse

import redis
import requests

from shoplab import settings
from shoplab.eventbus.heartbeat import forget_workers
from shoplab.redis_server import redis_command, wait_for_redis
from shoplab.topology import SERVICES

COLOURS = ["36", "32", "33", "35", "34", "31", "96", "92", "93", "95", "94", "91"]
READY_TIMEOUT_SECONDS = 60
STOP_GRACE_SECONDS = 10
YOUNG_SECONDS = 30  # a process that exits by itself sooner than this after its start may be failing to start
MAX_PAUSE_SECONDS = 10
WATCH_SECONDS = 0.1


@dataclass
class Process:
    name: str
    command: list[str]
    colour: str
    env: dict[str, str] | None = None  # the supervisor's own environment when None
    popen: subprocess.Popen | None = None
    restarts: int = 0
    early_exits: int = 0  # exits by itself in a row, each soon after its start
    started_at: float = 0.0
    reader: threading.Thread | None = field(default=None, repr=False)


def restart_pause(process: Process, returncode: int, lived: float) -> float:
    """Seconds to wait before starting the process again.

    Redis at once, always: every other process waits for it, and its data is on disk (AOF, fsync always). Anything
    killed by a signal (a crash, the OOM killer, an operator) at once too. Only a process that keeps exiting by
    itself soon after starting (a bad setting, a port taken) is given a growing pause, so it does not spin."""
    if process.name == "redis" or returncode < 0 or lived >= YOUNG_SECONDS:
        process.early_exits = 0
        return 0.0
    process.early_exits += 1
    return float(min(2 ** (process.early_exits - 1), MAX_PAUSE_SECONDS))


def web_command(name: str) -> list[str]:
    service = SERVICES[name]
    threads = settings.gateway_threads() if name == "gateway" else settings.web_threads()
    return gunicorn_command(service.app_module, f"{service.host}:{service.port}", threads, service.preload_web)


def gunicorn_command(app_module: str, bind: str, threads: int, preload: bool = False) -> list[str]:
    """How every web process is served, in ``make run``, compose and the benchmarks alike."""
    return [
        sys.executable, "-m", "gunicorn", app_module,
        "--bind", bind,
        "--workers", os.environ.get("SHOPLAB_WEB_WORKERS", "2"),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--keep-alive", str(settings.web_keepalive_seconds()),
        "--access-logfile", "-" if os.environ.get("SHOPLAB_ACCESS_LOG") else "/dev/null",
        "--error-logfile", "-", "--log-level", "warning", "--no-control-socket",
        *(["--preload"] if preload else []),
    ]  # fmt: skip


def worker_command(name: str) -> list[str]:
    service = SERVICES[name]
    return [
        sys.executable, "-m", "celery", "-A", service.worker_module, "worker",
        "-Q", service.queue, "-n", f"{name}@%h",
        "--concurrency", os.environ.get("SHOPLAB_WORKER_CONCURRENCY", "1"),
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "WARNING",
    ]  # fmt: skip


def beat_command() -> list[str]:
    schedule = settings.var_dir() / "celerybeat-schedule"
    return [sys.executable, "-m", "celery", "-A", "shoplab.beat", "beat", "-s", str(schedule), "--loglevel", "WARNING"]


def simulator_command() -> list[str]:
    """The buyers of the scenario runs (``simulator/runner.py``): it reaches the gateway over HTTP only."""
    return [sys.executable, "-m", "simulator.runner"]


def redis_port() -> int | None:
    """The port to start Redis on, or None when SHOPLAB_REDIS_URL points at a Redis run by someone else."""
    if os.environ.get("SHOPLAB_EXTERNAL_REDIS"):
        return None
    return urlparse(settings.redis_url()).port or 6379


class Supervisor:
    """Starts processes, prefixes their output lines with their names, restarts them when they die."""

    def __init__(self, output: TextIO | None = None) -> None:
        self.processes: list[Process] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.output = output or sys.stdout

    def add(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Process:
        colour = COLOURS[len(self.processes) % len(COLOURS)]
        process = Process(name, command, colour, env=env)
        self.processes.append(process)
        return process

    def start(self, process: Process) -> None:
        process.popen = subprocess.Popen(
            process.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the children in order
            env={**(os.environ if process.env is None else process.env), "PYTHONUNBUFFERED": "1"},
        )
        process.started_at = time.monotonic()
        process.reader = threading.Thread(target=self._pipe_output, args=(process,), daemon=True)
        process.reader.start()

    def _pipe_output(self, process: Process) -> None:
        assert process.popen and process.popen.stdout
        width = max(len(p.name) for p in self.processes)
        prefix = (
            f"\033[{process.colour}m{process.name:>{width}} |\033[0m "
            if self.output.isatty()
            else (f"{process.name:>{width}} | ")
        )
        for raw in process.popen.stdout:
            line = raw.decode(errors="replace").rstrip()
            with self.lock:
                print(prefix + line, file=self.output, flush=True)

    def say(self, line: str) -> None:
        with self.lock:
            print(line, file=self.output, flush=True)

    def watch(self) -> None:
        """Restart what dies (see :func:`restart_pause`); one process's pause never holds up another's restart."""
        due: dict[str, float] = {}  # process name -> when to start it again
        while not self.stopping.is_set():
            now = time.monotonic()
            for process in self.processes:
                if process.popen is None or process.popen.poll() is None:
                    continue
                if process.name not in due:
                    returncode = process.popen.returncode
                    pause = restart_pause(process, returncode, now - process.started_at)
                    due[process.name] = now + pause
                    self.say(f"supervisor: {process.name} exited ({returncode}); "
                             + (f"restart in {pause:.0f} s" if pause else "restart now"))  # fmt: skip
                if now >= due[process.name] and not self.stopping.is_set():
                    del due[process.name]
                    process.restarts += 1
                    self.start(process)
            self.stopping.wait(WATCH_SECONDS)

    def stop(self) -> None:
        self.stopping.set()
        # Web and scheduler first, then workers (they finish the message in hand), Redis last.
        order = sorted(self.processes, key=lambda p: (p.name == "redis", p.name.endswith("-worker")))
        for group in (
            [p for p in order if p.name != "redis" and not p.name.endswith("-worker")],
            [p for p in order if p.name.endswith("-worker")],
            [p for p in order if p.name == "redis"],
        ):
            for process in group:
                if process.popen and process.popen.poll() is None:
                    process.popen.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            for process in group:
                if process.popen is None:
                    continue
                try:
                    process.popen.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.popen.pid, signal.SIGKILL)
                    process.popen.wait()


def wait_until_healthy(timeout: float) -> dict:
    gateway = SERVICES["gateway"].url
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{gateway}/healthz", timeout=3)
            last = response.json()
            if response.status_code == 200:
                return last
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not every /healthz is green after {timeout:.0f} s: {last}")


def seed() -> list[dict]:
    """The demo class, seeded by the gateway's own command; its logins, one JSON object a line."""
    command = [sys.executable, "-m", "gateway.seed", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"seeding the demo class failed: {result.stderr[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def migrate_all() -> None:
    from shoplab.plumbing.runtime import ServiceRuntime, load_spec

    for name in SERVICES:
        ServiceRuntime(load_spec(name)).migrate()


def banner(logins: list, started: float) -> str:
    lines = [
        "",
        f"ShopLab is up in {time.monotonic() - started:.0f} s.  ShopLab 已启动。",
        f"  Gateway (public API, web):  {SERVICES['gateway'].url}/",
        f"  Health of every service:    {SERVICES['gateway'].url}/healthz",
        f"  Gateway API document:       {SERVICES['gateway'].url}/openapi.json",
    ]
    for name, service in SERVICES.items():
        if name != "gateway":
            lines.append(f"  {name:<8} service (internal): {service.url}   (/healthz, /openapi.json, /metrics)")
    lines.append(f"  Redis:                      {settings.redis_url()}")
    lines.append("  Demo logins 演示账号 (POST /api/v1/auth/login):")
    for login in logins:
        shop = f"  shop: {login['shop']}" if login.get("shop") else ""
        lines.append(f"    {login['role']:<10} {login['username']:<10} / {login['password']:<14}{shop}")
    lines.append("Press Ctrl-C to stop.  按 Ctrl-C 停止。")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    settings.internal_token()  # create the shared credential before the children race to
    settings.secret_key()
    supervisor = Supervisor()
    port = redis_port()
    if port is not None:
        supervisor.add("redis", redis_command(port, settings.var_dir() / "redis"))
    for name in SERVICES:
        supervisor.add(name, web_command(name))
    for name in SERVICES:
        supervisor.add(f"{name}-worker", worker_command(name))
    supervisor.add("beat", beat_command())
    supervisor.add("simulator", simulator_command())

    interrupted = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    signal.signal(signal.SIGTERM, lambda *_: interrupted.set())
    try:
        redis_process = next((p for p in supervisor.processes if p.name == "redis"), None)
        if redis_process:
            supervisor.start(redis_process)
        wait_for_redis(settings.redis_url(), redis_process.popen if redis_process else None)
        forget_workers(redis.Redis.from_url(settings.redis_url()), list(SERVICES))
        migrate_all()
        for process in supervisor.processes:
            if process.popen is None:
                supervisor.start(process)
        threading.Thread(target=supervisor.watch, daemon=True).start()
        wait_until_healthy(READY_TIMEOUT_SECONDS)
        supervisor.say(banner(seed(), started))
        while not interrupted.wait(0.5):
            pass
        supervisor.say("supervisor: stopping ...")
        return 0
    except (TimeoutError, RuntimeError) as exc:
        supervisor.say(f"supervisor: {exc}")
        return 1
    finally:
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
