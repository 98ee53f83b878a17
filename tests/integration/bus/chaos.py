"""A whole bus under the project's own supervisor, a steady stream of events through its web process, and a monkey
that SIGKILLs its processes at random: worker main processes, pool children, web workers (the relay thread runs
there), the scheduler and Redis. Used by ``test_chaos.py`` (``make test``) and by ``make chaos`` (longer).

Every process is real and runs the command ``make run`` gives it (``shoplab.supervisor``); the subscribers run
their service's worker wrapped so each committed handler execution leaves a row (``probe_worker``). The supervisor
restarts what dies; gunicorn replaces its own workers and Celery its pool children.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import redis
import requests

from shoplab.eventbus.heartbeat import alive_key, started_key
from shoplab.redis_server import redis_command
from shoplab.supervisor import Process, Supervisor, web_command, worker_command
from shoplab.topology import SERVICES
from tests.integration.bus.probe_worker import create_effects_table
from tests.integration.bus.subscribers import PROBE_MODULE, SUBSCRIBERS
from tests.stack import Stack, eventually

KINDS = ("worker main process", "pool child", "web worker", "beat", "redis")
MAX_BACKLOG = 200  # messages in a subscriber's queue before the traffic waits
WORKERS = ("gateway", *SUBSCRIBERS)  # the gateway's worker sweeps its outbox and reads the confirmations


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except OSError:
        return []


@dataclass
class Kill:
    kind: str
    target: str
    pid: int
    at: float  # monotonic
    back_after: float | None = None  # seconds until its replacement was up


@dataclass
class Shop:
    """The processes, their supervisor, and what was done to them."""

    stack: Stack
    supervisor: Supervisor
    processes: dict[str, Process]
    kills: list[Kill] = field(default_factory=list)

    @classmethod
    def start(cls, stack: Stack, redis_url: str) -> Shop:
        for name in WORKERS:  # migrated before anything runs, as make run does
            stack.runtime(name)
        for name in SUBSCRIBERS:
            create_effects_table(stack.runtime(name).db.engine)
        supervisor = Supervisor(output=open(stack.root / "supervisor.log", "a"))  # noqa: SIM115 - as long as it runs
        env = stack.env(SHOPLAB_ACCESS_LOG="")
        processes = {"redis": supervisor.add("redis", redis_command(urlparse(redis_url).port, stack.root / "redis"))}
        processes["web"] = supervisor.add("gateway-web", web_command("gateway"), env)
        processes["gateway"] = supervisor.add("gateway-worker", worker_command("gateway"), env)
        for name in SUBSCRIBERS:
            command = worker_command(name)
            command[command.index(SERVICES[name].worker_module)] = PROBE_MODULE
            processes[name] = supervisor.add(f"{name}-worker", command, {**env, "SHOPLAB_PROBE_SERVICE": name})
        beat = [sys.executable, "-m", "celery", "-A", "shoplab.beat", "beat", "-s", str(stack.root / "beat-schedule")]
        processes["beat"] = supervisor.add("beat", [*beat, "--loglevel", "WARNING"], env)
        shop = cls(stack, supervisor, processes)
        supervisor.start(processes["redis"])
        eventually(shop.redis_up, timeout=15, message="Redis up")
        for name, process in processes.items():
            if name != "redis":
                supervisor.start(process)
        threading.Thread(target=supervisor.watch, daemon=True).start()
        try:
            shop.wait_up(timeout=90)
        except BaseException:
            supervisor.stop()
            raise
        return shop

    # --- state

    def redis_up(self) -> bool:
        try:
            return bool(self.stack.redis.ping())
        except redis.RedisError:
            return False

    def web_up(self) -> bool:
        try:
            return requests.get(f"{SERVICES['gateway'].url}/openapi.json", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def workers_up(self) -> bool:
        return self.redis_up() and all(self.stack.redis.exists(alive_key(name)) for name in WORKERS)

    def backlog(self) -> int:
        """Messages waiting in the longest subscriber queue (0 while Redis is away)."""
        try:
            with self.stack.redis.pipeline(transaction=False) as pipe:
                for name in SUBSCRIBERS:
                    pipe.llen(name)
                return max(pipe.execute())
        except redis.RedisError:
            return 0

    def wait_up(self, timeout: float) -> None:
        eventually(lambda: self.workers_up() and self.web_up(), timeout=timeout, interval=0.2, message="all up")

    # --- the monkey

    def targets(self, kind: str) -> list[tuple[str, int]]:
        """(name, pid) of what can be killed of this kind now."""
        running = {n: p.popen.pid for n, p in self.processes.items() if p.popen and p.popen.poll() is None}
        if kind == "worker main process":
            return [(name, running[name]) for name in WORKERS if name in running]
        if kind == "pool child":
            return [(name, child) for name in WORKERS if name in running for child in children(running[name])]
        if kind == "web worker":
            return [("web", child) for child in children(running["web"])] if "web" in running else []
        return [(kind, running[kind])] if kind in running else []

    def kill(self, kind: str, chance: random.Random) -> Kill | None:
        targets = self.targets(kind)
        if not targets:
            return None
        name, pid = chance.choice(targets)
        previous = self._state(kind, name, pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        kill = Kill(kind, name, pid, time.monotonic())
        self.kills.append(kill)
        threading.Thread(target=self._watch_return, args=(kill, previous), daemon=True).start()
        return kill

    def _state(self, kind: str, name: str, pid: int) -> object:
        if kind != "worker main process":
            return None
        try:
            return self.stack.redis.get(started_key(name))
        except redis.RedisError:
            return None  # Redis itself is down or loading: any start noted later is a new one

    def _watch_return(self, kill: Kill, previous: object) -> None:
        """Note how long until what was killed is back: a worker beating again (a new start), Redis answering, a
        new pool child or web worker, the scheduler running again."""
        deadline = kill.at + 120
        while time.monotonic() < deadline:
            if self._is_back(kill, previous):
                kill.back_after = time.monotonic() - kill.at
                return
            time.sleep(0.05)

    def _is_back(self, kill: Kill, previous: object) -> bool:
        try:
            if kill.kind == "redis":
                return self.redis_up()
            if kill.kind == "worker main process":
                started = self.stack.redis.get(started_key(kill.target))
                return started != previous and bool(self.stack.redis.exists(alive_key(kill.target)))
            process = self.processes[kill.target]
            if kill.kind in ("pool child", "web worker"):
                now = children(process.popen.pid)
                return bool(now) and kill.pid not in now
            return process.popen.pid != kill.pid and process.popen.poll() is None  # beat
        except redis.RedisError:
            return False

    def stop(self) -> None:
        self.supervisor.stop()

    def recovery(self) -> dict[str, dict[str, float | int]]:
        """Per kind: how many kills, and the median and longest time until the replacement was up."""
        summary: dict[str, dict[str, float | int]] = {}
        for kind in KINDS:
            times = [k.back_after for k in self.kills if k.kind == kind and k.back_after is not None]
            summary[kind] = {
                "kills": sum(1 for k in self.kills if k.kind == kind),
                "back_median_seconds": round(statistics.median(times), 1) if times else None,
                "back_max_seconds": round(max(times), 1) if times else None,
                "not_back": sum(1 for k in self.kills if k.kind == kind and k.back_after is None),
            }
        return summary


class Monkey(threading.Thread):
    """Kills something ``kills`` times, spread over the traffic: each kill at a random point of its share of the
    events (so however slowly the machine goes, the kills fall while events flow), each kind in turn first (so every
    kind is hit), then kinds at random."""

    def __init__(self, shop: Shop, seed: int, kills: int, progress: Callable[[], int], events: int) -> None:
        super().__init__(daemon=True)
        self.shop = shop
        self.chance = random.Random(seed)
        self.progress = progress
        share = events / kills
        self.marks = [(n + self.chance.uniform(0.1, 0.9)) * share for n in range(kills)]
        self.stopping = threading.Event()

    def run(self) -> None:
        plan = list(KINDS)
        for mark in self.marks:
            while self.progress() < mark:
                if self.stopping.wait(0.05):
                    return
            self.shop.kill(plan.pop(0) if plan else self.chance.choice(KINDS), self.chance)

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)


class Traffic:
    """An instructor's traffic through the gateway's public API, from a few client threads: each opens its shops,
    then changes their clocks, at a steady rate in all, until ``events`` requests were answered 201/200 (each
    commits one event, for all four subscribers). Requests cut off by a killed web worker count as failed; what
    they committed counts all the same (the producer's outbox is the record). It waits while a subscriber has more
    than ``MAX_BACKLOG`` messages queued: the point is events flowing while processes die, not a backlog outlasting
    the kills (on a busy machine four subscribers keep up with less than the rate asked)."""

    def __init__(
        self,
        headers: dict[str, str],
        events: int,
        rate: float,
        backlog: Callable[[], int],
        threads: int = 4,
        shops: int = 5,
    ) -> None:
        self.headers = headers
        self.backlog = backlog
        self.events = events
        self.rate = rate
        self.shops = shops
        self.ok = 0
        self.failed = 0
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(threads)]

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def is_alive(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _client(self, number: int) -> None:
        try:
            self._requests(number)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            self.errors.append(exc)

    def _requests(self, number: int) -> None:
        url = SERVICES["gateway"].url
        session = requests.Session()
        chance = random.Random(number)
        shop_ids: list[str] = []  # this thread's own shops: no two clients change one clock at the same moment
        while True:
            with self._lock:
                if self.ok >= self.events:
                    return
                due = self.started + self.ok / self.rate
            if (delay := due - time.monotonic()) > 0:
                time.sleep(delay)
            while self.backlog() > MAX_BACKLOG:
                time.sleep(0.2)
            try:
                if len(shop_ids) < self.shops:
                    body = {"name": f"Chaos shop {number}-{len(shop_ids)}", "platform": "taobao"}
                    response = session.post(f"{url}/api/v1/shops", json=body, headers=self.headers, timeout=10)
                    if response.status_code == 201:
                        shop_ids.append(response.json()["id"])
                else:
                    body = {"speed": chance.choice([1.0, 2.0, 60.0])}
                    clock = f"{url}/api/v1/shops/{chance.choice(shop_ids)}/clock"
                    response = session.post(clock, json=body, headers=self.headers, timeout=10)
                answered = response.status_code in (200, 201)
            except requests.RequestException:
                answered = False
                session = requests.Session()
            with self._lock:
                if answered:
                    self.ok += 1
                else:
                    self.failed += 1
