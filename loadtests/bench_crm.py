"""``make bench-crm``: RFM over a million purchases in the embedded database against pandas, and profile updates
from events against the bus's bare handler rate.

Everything runs on the embedded default, started here and stopped after: SQLite files in a private
SHOPLAB_VAR_DIR, the project's Redis on a free port, and Celery workers with exactly the command ``make run``
uses (``shoplab.supervisor.worker_command``).

1. RFM: BENCH_CRM_TRANSACTIONS (1,000,000) purchases of BENCH_CRM_CUSTOMERS (100,000) customers, generated from a
   seed (purchase counts and amounts skewed as real shops are) and written as an import would write them. Timed:
   - crm's rebuild from the ledger once (``rfm_sql.recompute(rebuild=True)``: aggregate every purchase, write
     every customer's totals, edges, scores and segments, commit), as after an import;
   - crm's full computation as the timer and ``POST /rfm/recompute`` run it (every customer scored and segmented
     from the purchases' totals that events and imports keep current; stored; committed);
   - pandas on the same rows in the same run: ``read_sql`` of the purchases from the same database, then
     groupby, ``qcut`` (frequency ranked ``method="first"``) and the segment map — without storing anything.
   The two results are compared customer by customer (they must agree). Targets: the full computation under 2 s
   and at least 3× faster than pandas. BENCH_ROUNDS (3) alternating timings each; medians; wall and CPU seconds
   (the machine may be shared: CPU time is what each side cost).
2. Profile updates from events: BENCH_CRM_EVENTS (1000) ``order.placed`` / ``order.paid`` events of new and
   returning customers waiting in crm's queue, drained by crm's real worker (each one: facts, counters, grade,
   RFM score, rule tags, care schedule, timeline, the events that follow); against the bus's bare handler (the
   shop copy's ``shop.clock_changed``, the handler ``make bench-events`` measures) on the same worker, and bare
   Celery tasks carrying the same message. Alternating rounds, medians. Reported (the issue sets no target).
   ``BENCH_CRM_PARTS=rfm`` runs part 1 alone.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHOP_ID = "bench-crm-shop"
AS_OF = datetime(2026, 11, 11, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_environment() -> Path:
    """Before any ShopLab module reads its settings: a var dir and a Redis port of our own, no PostgreSQL."""
    root = Path(tempfile.mkdtemp(prefix="shoplab-bench-crm-"))
    os.environ["SHOPLAB_VAR_DIR"] = str(root / "var")
    os.environ["SHOPLAB_REDIS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
    os.environ.setdefault("SHOPLAB_INTERNAL_TOKEN", "bench-internal-token")
    for key in list(os.environ):
        if key == "DATABASE_URL" or key.endswith("_DATABASE_URL"):
            del os.environ[key]
    return root


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _open_shop(runtime, shop_now: datetime | None = None) -> None:
    from shoplab.eventbus.envelope import Event
    from shoplab.shops import replica
    from shoplab.shops.clock import ShopClock

    wall = datetime.now(UTC)
    clock = ShopClock(wall_anchor=wall, sim_anchor=shop_now or wall).to_dict()
    payload = {"shop_id": SHOP_ID, "name": "Bench 压测店", "platform": "amazon", "currency": "USD", "clock": clock}
    with runtime.db.writing() as session:
        replica.on_shop_opened(session, Event(type="shop.opened", shop_id=SHOP_ID, source="bench", payload=payload))


def generate(runtime, customers: int, transactions: int, seed: int = 11) -> None:
    """Purchases skewed like a real shop's: a few customers buy often, most once or twice."""
    from sqlalchemy import insert

    from services.crm.models import Customer
    from services.crm.profiles import new_customer

    rng = random.Random(seed)
    weights = [rng.paretovariate(1.2) for _ in range(customers)]
    scale = (transactions - customers) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    counts[0] += transactions - sum(counts)  # exactly the number asked for
    blank = new_customer(SHOP_ID, "", datetime.now(UTC))
    template = {c.name: getattr(blank, c.name) for c in Customer.__table__.columns}
    start = AS_OF - timedelta(days=730)
    insert_purchase = (
        "INSERT INTO purchases (shop_id, purchase_id, customer_id, source, paid_at, paid_cents, refunded_cents, "
        "flagged) VALUES (?, ?, ?, 'import', ?, ?, 0, 0)"
    )
    with runtime.db.writing() as session:
        conn = session.connection()
        rows = [{**template, "customer_id": f"c{n:06d}"} for n in range(customers)]
        conn.execute(insert(Customer.__table__), rows)
        batch, serial = [], 0
        for n, count in enumerate(counts):
            for _ in range(count):
                serial += 1
                # the text SQLAlchemy stores for a UTC time on SQLite, written straight to the driver (setup only)
                paid_at = (start + timedelta(seconds=rng.randrange(730 * 86400))).strftime("%Y-%m-%d %H:%M:%S.%f")
                batch.append((SHOP_ID, f"p{serial:08d}", f"c{n:06d}", paid_at, int(rng.lognormvariate(8.3, 0.9))))
                if len(batch) == 50000:
                    conn.exec_driver_sql(insert_purchase, batch)
                    batch = []
        if batch:
            conn.exec_driver_sql(insert_purchase, batch)


def ours(runtime, rebuild: bool = False) -> tuple[float, float, object]:
    """crm's full computation as the service runs it, committed: (wall seconds, CPU seconds, the run)."""
    from services.crm import rfm_sql

    started, cpu = time.perf_counter(), time.process_time()
    with runtime.db.writing() as session:
        run = rfm_sql.recompute(session, SHOP_ID, AS_OF, None, rebuild=rebuild)
    return time.perf_counter() - started, time.process_time() - cpu, run


def with_pandas(runtime):
    """The usual pandas RFM of the same rows: read them, group, qcut, map; the result is not stored."""
    import pandas as pd

    from services.crm.rfm import segment_of

    started, cpu = time.perf_counter(), time.process_time()
    query = ("SELECT customer_id, paid_at, paid_cents - refunded_cents AS amount FROM purchases "
             "WHERE shop_id = ? AND paid_at IS NOT NULL AND cancelled_at IS NULL "
             "AND (refunded_cents = 0 OR refunded_cents < paid_cents)")  # fmt: skip
    with runtime.db.engine.connect() as conn:
        frame = pd.read_sql(query, conn.connection.dbapi_connection, params=(SHOP_ID,))
    frame["paid_at"] = pd.to_datetime(frame["paid_at"], utc=True, format="ISO8601")
    loaded = time.perf_counter() - started
    rfm = frame.groupby("customer_id").agg(
        last=("paid_at", "max"), frequency=("paid_at", "size"), monetary=("amount", "sum")
    )
    rfm["recency"] = (pd.Timestamp(AS_OF) - rfm["last"]).dt.days
    rfm["r"] = pd.qcut(rfm["recency"], 5, labels=[5, 4, 3, 2, 1]).astype(int)
    rfm["f"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    rfm["m"] = pd.qcut(rfm["monetary"], 5, labels=[1, 2, 3, 4, 5]).astype(int)
    rfm["segment"] = [segment_of(r, f) for r, f in zip(rfm["r"], rfm["f"], strict=True)]
    return time.perf_counter() - started, time.process_time() - cpu, loaded, rfm


def agree(runtime, expected) -> int:
    """Customers whose scores or segment differ between crm and pandas (must be 0)."""
    import pandas as pd

    with runtime.db.engine.connect() as conn:
        found = pd.read_sql(
            "SELECT customer_id, r_score AS r, f_score AS f, m_score AS m, segment FROM customers WHERE shop_id = ?",
            conn.connection.dbapi_connection, params=(SHOP_ID,), index_col="customer_id",
        ).loc[expected.index]  # fmt: skip
    return int((found[["r", "f", "m", "segment"]] != expected[["r", "f", "m", "segment"]]).any(axis=1).sum())


def bench_rfm(runtime, customers: int, transactions: int, rounds: int) -> bool:
    started = time.perf_counter()
    generate(runtime, customers, transactions)
    print(f"1. RFM: {transactions:,} purchases of {customers:,} customers generated in "
          f"{time.perf_counter() - started:.1f} s (SQLite, {runtime.db.url})")  # fmt: skip
    wall, cpu, run = ours(runtime, rebuild=True)
    print(f"   crm rebuild from the ledger (every purchase aggregated, every customer written): {wall:.2f} s "
          f"(CPU {cpu:.2f} s); {run.changed:,} customers scored")  # fmt: skip
    timings: dict[str, list[float]] = {"ours": [], "ours_cpu": [], "pandas": [], "pandas_cpu": [], "read": []}
    expected = None
    for _ in range(rounds):  # alternate, so both meet the same neighbours on a shared machine
        wall, cpu, _run = ours(runtime)
        timings["ours"].append(wall)
        timings["ours_cpu"].append(cpu)
        wall, cpu, loaded, expected = with_pandas(runtime)
        timings["pandas"].append(wall)
        timings["pandas_cpu"].append(cpu)
        timings["read"].append(loaded)
    median = {key: statistics.median(values) for key, values in timings.items()}
    mismatches = agree(runtime, expected)
    print(
        f"   crm recompute (as the timer and POST /rfm/recompute run it: every customer scored from the purchases' "
        f"kept totals): {median['ours']:.2f} s, CPU {median['ours_cpu']:.2f} s (medians; {_list(timings['ours'])})"
    )
    print(f"   pandas (read_sql of the purchases + groupby + qcut + map, nothing stored): {median['pandas']:.2f} s, "
          f"CPU {median['pandas_cpu']:.2f} s (medians; {_list(timings['pandas'])}), of which reading "
          f"{median['read']:.2f} s")  # fmt: skip
    speed_up, cpu_speed_up = median["pandas"] / median["ours"], median["pandas_cpu"] / median["ours_cpu"]
    print(f"   speed-up {speed_up:.1f}× (CPU {cpu_speed_up:.1f}×); customers whose scores differ: {mismatches}")
    met = median["ours"] < 2.0 and speed_up >= 3 and mismatches == 0
    print(f"   targets (recompute < 2 s and ≥ 3× pandas, scores equal): {'met' if met else 'MISSED'}")
    return met


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def order_messages(count: int) -> list[dict]:
    """order.placed / order.paid pairs: a third of the buyers come back (their profile exists already)."""
    from shoplab.eventbus.envelope import make_event

    messages, now = [], datetime.now(UTC)
    for n in range(count // 2):
        customer = f"b{n % max(1, count // 3):05d}"
        ref = {"order_id": f"o{n:06d}-{time.time_ns()}", "order_no": f"NO{n:06d}", "customer_id": customer}
        buyer = {"customer_id": customer, "name": "Ana García", "country": "US", "timezone": "America/New_York",
                 "language": "en"}  # fmt: skip
        placed = {**ref, "buyer": buyer, "shipping_fee": "0.00", "total": "25.00", "currency": "USD",
                  "lines": [{"sku": "S1", "product_id": "p1", "title": "Mug", "quantity": 1, "unit_price": "25.00"}],
                  "placed_at": now, "pay_by": now + timedelta(hours=24)}  # fmt: skip
        paid = {**ref, "amount": "25.00", "currency": "USD", "method": "card", "paid_at": now}
        for event_type, payload in (("order.placed", placed), ("order.paid", paid)):
            messages.append(make_event(event_type, shop_id=SHOP_ID, source="bench", payload=payload).to_message())
    return messages


def clock_messages(count: int) -> list[dict]:
    from shoplab.eventbus.envelope import make_event
    from shoplab.shops.clock import ShopClock

    clock = ShopClock.started()
    messages = []
    for _ in range(count):
        clock = clock.changed(speed=2.0 if clock.speed == 1.0 else 1.0)
        payload = {"shop_id": SHOP_ID, "clock": clock.to_dict()}
        messages.append(make_event("shop.clock_changed", shop_id=SHOP_ID, source="bench", payload=payload)
                        .to_message())  # fmt: skip
    return messages


def bench_events(runtime, client, total: int, rounds: int) -> bool:
    from loadtests.bench_events import BARE_QUEUE, Worker, bare, drain_rate, handled_count
    from shoplab.eventbus.celery_setup import QueueSender
    from shoplab.eventbus.heartbeat import alive_key

    root = Path(os.environ["SHOPLAB_VAR_DIR"]).parent
    crm = Worker("services.crm.worker", "crm", root / "crm-worker.log")
    baseline = Worker("loadtests.bench_events:bare", BARE_QUEUE, root / "bare-worker.log")
    sender = QueueSender()
    try:
        crm.start(client, alive_key("crm"))  # warm: imports, connections, the shop's first customers
        sender.send_all([("crm", m) for m in order_messages(20)])
        _wait(lambda: handled_count(runtime) >= 20 and not client.llen("crm"), 60)
        crm.stop()
        profile_rates, copy_rates, bare_rates = [], [], []
        for round_no in range(1, rounds + 1):
            for messages, rates in ((order_messages(total), profile_rates), (clock_messages(total), copy_rates)):
                before = handled_count(runtime)
                sender.send_all([("crm", m) for m in messages])
                rates.append(drain_rate(client, "crm", total, lambda: crm.start(client, None)))
                crm.stop()
                assert handled_count(runtime) == before + total, "an event was lost or doubled"
            for message in clock_messages(total):
                bare.send_task("bench.noop", args=[message], queue=BARE_QUEUE)
            bare_rates.append(drain_rate(client, BARE_QUEUE, total, lambda: baseline.start(client, None)))
            baseline.stop()
            print(f"   round {round_no}: profile updates {profile_rates[-1]:4.0f}/s, bus bare handler "
                  f"{copy_rates[-1]:4.0f}/s, bare Celery {bare_rates[-1]:4.0f}/s")  # fmt: skip
    finally:
        crm.stop()
        baseline.stop()
    profile, copy, celery = (statistics.median(r) for r in (profile_rates, copy_rates, bare_rates))
    ratio = profile / copy
    print(f"2. events: profile updates {profile:.0f}/s; the bus's bare handler {copy:.0f}/s; bare Celery "
          f"{celery:.0f}/s (medians of {rounds} drains of {total})")  # fmt: skip
    print(f"   profile updates / bus bare handler: {ratio:.2f}; / bare Celery: {profile / celery:.2f} (reported)")
    return True


def _wait(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("not within the time allowed")
        time.sleep(0.05)


def main() -> int:
    from urllib.parse import urlparse

    import redis

    from services.crm.service import SPEC
    from shoplab import settings
    from shoplab.plumbing.runtime import ServiceRuntime
    from shoplab.redis_server import start_redis

    customers = int(os.environ.get("BENCH_CRM_CUSTOMERS", 100_000))
    transactions = int(os.environ.get("BENCH_CRM_TRANSACTIONS", 1_000_000))
    events = int(os.environ.get("BENCH_CRM_EVENTS", 1000))
    rounds = int(os.environ.get("BENCH_ROUNDS", 3))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"bench-crm at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores")
    print(f"load before: {_load()}")
    url = settings.redis_url()
    redis_process = start_redis(urlparse(url).port, ROOT / "redis", ROOT / "redis.log")
    try:
        runtime = ServiceRuntime(SPEC)
        runtime.migrate()
        _open_shop(runtime)
        rfm_met = bench_rfm(runtime, customers, transactions, rounds)
        if os.environ.get("BENCH_CRM_PARTS", "rfm,events") == "rfm":
            print(f"load after: {_load()}")
            return 0 if rfm_met else 1
        # the events run in a shop of their own database: a million purchases would only slow the inserts
        events_runtime = ServiceRuntime(SPEC, f"sqlite:///{ROOT / 'var' / 'crm-events.sqlite3'}")
        events_runtime.migrate()
        os.environ["CRM_DATABASE_URL"] = events_runtime.database_url
        _open_shop(events_runtime)
        events_met = bench_events(events_runtime, redis.Redis.from_url(url), events, rounds)
        print(f"load after: {_load()}")
        met = rfm_met and events_met
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1
    finally:
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    ROOT = _private_environment()
    sys.exit(main())
