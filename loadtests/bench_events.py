"""``make bench-events``: events through outbox → relay → Redis → worker → inbox, next to bare Celery tasks.

Everything runs on the embedded default, started here and stopped after: the project's Redis on a free port, SQLite
files in a private SHOPLAB_VAR_DIR, and Celery workers with exactly the command ``make run`` uses
(shoplab.supervisor.worker_command). The producer is the gateway's own code: each event is a clock change of a
shop, committed in its own transaction with its outbox row and relayed right after commit, as a request would do.
The subscriber measured is crm's real worker and handler (its shop copy); the relay also fans the event out to the
other three subscribers' queues, whose workers are not started (their copies just wait, like a subscriber that is
down).

Runs, in order:
1. capacity: N events committed while the worker is stopped, then drained by it (handler executions/s);
2. baseline: N bare Celery tasks carrying the same envelope, drained by a bare worker with the same settings;
   1 and 2 alternate for BENCH_ROUNDS rounds and the medians are compared (the machine may be shared);
3. flow: N events committed as fast as one producer can while the worker runs (events/s, commit→handled lag);
4. paced: events at half the flow rate for BENCH_PACED_SECONDS (lag p50/p99).

Lag is ``inbox.handled_wall_at − occurred_wall_at``: from the event's creation in the producer's transaction to the
subscriber's transaction that records it. Environment: BENCH_EVENTS (default 2000), BENCH_ROUNDS (3),
BENCH_PACED_SECONDS (15), SHOPLAB_WORKER_CONCURRENCY (as for ``make run``, default 1).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BARE_QUEUE = "bench-bare"
SUBSCRIBER = "crm"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_environment() -> Path:
    """Before any ShopLab module reads its settings: a var dir and a Redis port of our own, no PostgreSQL."""
    root = Path(tempfile.mkdtemp(prefix="shoplab-bench-events-"))
    os.environ["SHOPLAB_VAR_DIR"] = str(root / "var")
    os.environ["SHOPLAB_REDIS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
    os.environ.setdefault("SHOPLAB_INTERNAL_TOKEN", "bench-internal-token")
    for key in list(os.environ):
        if key == "DATABASE_URL" or key.endswith("_DATABASE_URL"):
            del os.environ[key]
    return root


if __name__ == "__main__":
    ROOT = _private_environment()

from shoplab.eventbus.celery_setup import make_celery  # noqa: E402

# The bare baseline: the same Celery settings as every ShopLab worker, a task that does nothing.
bare = make_celery(BARE_QUEUE)


@bare.task(name="bench.noop")
def noop(message: dict[str, Any]) -> None:
    return None


class Worker:
    def __init__(self, app_module: str, queue: str, log: Path) -> None:
        from shoplab.supervisor import worker_command

        command = worker_command(SUBSCRIBER)
        command[command.index("services.crm.worker")] = app_module
        command[command.index("-Q") + 1] = queue
        command[command.index("-n") + 1] = f"{queue}-bench@%h"
        self.command = command
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, redis_client, ready_key: str | None) -> Worker:
        if ready_key:
            redis_client.delete(ready_key)
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        if ready_key:  # ShopLab workers announce themselves with their heartbeat
            _wait(lambda: redis_client.exists(ready_key) or self.process.poll() is not None, 60, "worker ready")
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited; see {self.log}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _wait(check, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def drain_rate(redis_client, queue: str, total: int, start_consumer, timeout: float = 300) -> float:
    """Start the consumer on a full queue and time it from its first message taken to the last one acknowledged."""
    start_consumer()
    first = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting, unacked = redis_client.llen(queue), redis_client.hlen("unacked")
        now = time.perf_counter()
        if first is None and waiting < total:
            first = now
        # kombu pops a message, then notes it as unacked: look twice so the gap between is not taken for the end
        if first is not None and waiting == 0 and unacked == 0:
            time.sleep(0.05)
            if queue_idle(redis_client, queue):
                return total / (now - first)
        time.sleep(0.005)
    raise TimeoutError(f"{queue} not drained in {timeout} s")


class Producer:
    """The gateway committing clock changes, one transaction per event, each relayed right after its commit."""

    def __init__(self) -> None:
        from gateway.seed import seed_demo
        from gateway.service import SPEC
        from gateway.shops import open_shop
        from shoplab.plumbing.runtime import ServiceRuntime

        self.runtime = ServiceRuntime(SPEC)
        self.runtime.migrate()
        with self.runtime.db.writing() as session:
            seed_demo(session)
            self.shop_id = open_shop(session, name="Bench 压测店", platform="aliexpress").id
        self.flip = False

    def commit_one(self) -> None:
        from gateway.shops import change_clock

        self.flip = not self.flip
        with self.runtime.db.writing() as session:
            change_clock(session, self.shop_id, speed=2.0 if self.flip else 1.0)

    def sample_message(self) -> dict[str, Any]:
        """A real envelope of the kind measured, for the bare tasks to carry."""
        import json

        from sqlalchemy import select

        from shoplab.eventbus.tables import OutboxMessage

        with self.runtime.db.reading() as session:
            row = session.scalars(select(OutboxMessage).where(OutboxMessage.type == "shop.clock_changed")).first()
        return json.loads(row.message)

    def burst(self, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            self.commit_one()
        return count / (time.perf_counter() - started)

    def paced(self, rate: float, seconds: float) -> int:
        interval = 1.0 / rate
        count = int(rate * seconds)
        started = time.perf_counter()
        for n in range(count):
            delay = started + n * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.commit_one()
        return count


def queue_idle(redis_client, queue: str) -> bool:
    return not redis_client.llen(queue) and not redis_client.hlen("unacked")


def lags(subscriber_runtime, since) -> list[float]:
    from sqlalchemy import select

    from shoplab.eventbus.tables import InboxEntry

    with subscriber_runtime.db.reading() as session:
        rows = session.execute(
            select(InboxEntry.occurred_wall_at, InboxEntry.handled_wall_at).where(InboxEntry.occurred_wall_at >= since)
        ).all()
    return sorted((handled - occurred).total_seconds() for occurred, handled in rows)


def handled_count(subscriber_runtime) -> int:
    from sqlalchemy import func, select

    from shoplab.eventbus.tables import InboxEntry

    with subscriber_runtime.db.reading() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry))


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> int:
    from datetime import UTC, datetime
    from urllib.parse import urlparse

    import redis

    from services.crm.service import SPEC as CRM
    from shoplab import settings
    from shoplab.eventbus.heartbeat import alive_key
    from shoplab.plumbing.runtime import ServiceRuntime
    from shoplab.redis_server import start_redis

    total = int(os.environ.get("BENCH_EVENTS", 2000))
    rounds = int(os.environ.get("BENCH_ROUNDS", 3))
    paced_seconds = float(os.environ.get("BENCH_PACED_SECONDS", 15))
    url = settings.redis_url()
    redis_process = start_redis(urlparse(url).port, ROOT / "redis", ROOT / "redis.log")
    client = redis.Redis.from_url(url)
    subscriber = ServiceRuntime(CRM)
    subscriber.migrate()
    crm = Worker("services.crm.worker", SUBSCRIBER, ROOT / "crm-worker.log")
    baseline = Worker("loadtests.bench_events:bare", BARE_QUEUE, ROOT / "bare-worker.log")
    print(f"bench-events: {total} events, worker concurrency {settings.WorkerSettings().concurrency}, var {ROOT}")
    print(f"machine: {os.cpu_count()} cores; load before: {_load()}")
    try:
        producer = Producer()
        # warm the subscriber: the shop copy exists, imports and connections are made
        producer.burst(10)
        crm.start(client, alive_key(SUBSCRIBER))
        _wait(lambda: handled_count(subscriber) >= 10 and queue_idle(client, SUBSCRIBER), 30, "warm-up")
        crm.stop()

        # 1 and 2, in alternating rounds so both meet the same neighbours on a shared machine: medians count
        message = producer.sample_message()
        bus_rates, bare_rates, commit_rates = [], [], []
        for round_no in range(1, rounds + 1):
            before = handled_count(subscriber)
            commit_rates.append(producer.burst(total))
            bus_rates.append(drain_rate(client, SUBSCRIBER, total, lambda: crm.start(client, None)))
            crm.stop()
            assert handled_count(subscriber) == before + total, "an event was lost or doubled"
            for _ in range(total):
                bare.send_task("bench.noop", args=[message], queue=BARE_QUEUE)
            bare_rates.append(drain_rate(client, BARE_QUEUE, total, lambda: baseline.start(client, None)))
            baseline.stop()
            print(
                f"   round {round_no}: bus handler {bus_rates[-1]:5.0f}/s, bare Celery {bare_rates[-1]:5.0f}/s "
                f"(ratio {bus_rates[-1] / bare_rates[-1]:.2f}); producer {commit_rates[-1]:5.0f} commits/s"
            )
        handler_rate, bare_rate = statistics.median(bus_rates), statistics.median(bare_rates)
        ratio = handler_rate / bare_rate
        print(f"1. capacity  bus handler executions {handler_rate:5.0f}/s (median of {rounds} drains of {total})")
        print(f"2. baseline  bare Celery tasks      {bare_rate:5.0f}/s (same settings, same message)")
        print(f"   ratio     {ratio:.2f}  (target ≥ 0.50); producer {statistics.median(commit_rates):.0f} commits/s")

        # 3. flowing: producer and worker at the same time, as fast as one producer can commit
        crm.start(client, alive_key(SUBSCRIBER))
        mark = datetime.now(UTC)
        count_before = handled_count(subscriber)
        started = time.perf_counter()
        flow_commit_rate = producer.burst(total)
        _wait(lambda: handled_count(subscriber) >= count_before + total, 300, "flow handled", 0.01)
        flow_lags = lags(subscriber, mark)
        flow_rate = total / (time.perf_counter() - started)
        assert len(flow_lags) == total, f"{len(flow_lags)} handled of {total}"
        print(
            f"3. flow      {flow_rate:7.0f} events/s end to end (producer {flow_commit_rate:.0f} commits/s); "
            f"lag p50 {ms(percentile(flow_lags, 50))}, p99 {ms(percentile(flow_lags, 99))}"
        )

        # 4. paced at half the maximum rate measured in 3
        rate = flow_rate / 2
        mark = datetime.now(UTC)
        count_before = handled_count(subscriber)
        sent = producer.paced(rate, paced_seconds)
        _wait(lambda: handled_count(subscriber) >= count_before + sent, 120, "paced handled", 0.01)
        paced_lags = lags(subscriber, mark)
        assert len(paced_lags) == sent
        p99 = percentile(paced_lags, 99)
        print(
            f"4. paced     {sent} events at {rate:.0f}/s: lag p50 {ms(percentile(paced_lags, 50))}, "
            f"p99 {ms(p99)}, max {ms(paced_lags[-1])}  (target p99 < 250 ms)"
        )
        print(f"load after: {_load()}")
        met = ratio >= 0.5 and p99 < 0.25
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1
    finally:
        crm.stop()
        baseline.stop()
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(ROOT, ignore_errors=True)


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
