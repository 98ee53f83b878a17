"""``make bench-gateway``: the public API's cost and the live stream's delay.

1. **Pass-through**: an order read and an order placement through the gateway (a student's bearer token; the buyer
   API with a buyer key) against the same calls straight to the orders service (internal token), in one run,
   alternating round after round with wrk. Target: the gateway at least 0.7x the direct throughput.
2. **Stream**: 60 clients hold ``GET /api/v1/shops/<shop>/stream`` open while a paced load of ordinary requests runs
   through the gateway (order placements, whose ``order.placed`` rings the stream, and order reads); the delay from
   each event's ``occurred_at`` (in the orders service's transaction) to each client's receipt. Target p99 < 1 s;
   the ordinary requests' latency is given with and without the 60 streams open.

Everything runs as ``make run`` runs it (``shoplab.supervisor`` commands: gunicorn gthread, the Celery worker), on
SQLite in a private SHOPLAB_VAR_DIR, with a private Redis on a free port; nothing is left running afterwards.
Environment: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_STREAMS (60),
BENCH_STREAM_SECONDS (20), BENCH_PACED_PLACE (10/s), BENCH_PACED_READ (40/s).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from loadtests.bench_orders import balanced_run, ensure_wrk, free_port, stop, wait_http
from loadtests.sse_clients import SseClients

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVED = ("gateway", "orders", "tickets")
ADDRESS = {"recipient": "王小明", "line1": "文三路 90 号", "city": "杭州", "country": "CN"}
BUYER = {"customer_id": "c-bench", "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
SKUS = [f"TB1001-{colour}-{size}" for colour in ("BLACK", "WHITE", "NAVY") for size in ("M", "L", "XL")]
GET_LUA = 'wrk.method = "GET"\n%(headers)s'
POST_LUA = """
local skus = {%(skus)s}
local counter = 0
%(headers)s
request = function()
  counter = counter + 1
  local body = '{%(buyer)s"address": %(address)s, "lines": [{"sku": "' .. skus[(counter %% #skus) + 1] ..
    '", "quantity": 1}]}'
  return wrk.format("POST", nil, nil, body)
end
"""


def prepare() -> dict[str, str]:
    """The demo school in the gateway, its first shop opened in orders and tickets by their real handlers, a
    student's token, a buyer key and its customer."""
    from sqlalchemy import select, update

    from gateway import buyer_keys, tokens
    from gateway.models import ShopMember, User
    from gateway.seed import seed_demo
    from services.orders.models import Sku
    from shoplab.eventbus.envelope import parse_message
    from shoplab.eventbus.tables import OutboxMessage
    from shoplab.plumbing.runtime import ServiceRuntime, load_spec

    runtimes = {name: ServiceRuntime(load_spec(name)) for name in SERVED}
    for runtime in runtimes.values():
        runtime.migrate()
    gateway = runtimes["gateway"].db
    from datetime import UTC, datetime

    with gateway.writing() as session:
        seed_demo(session)
        student = session.scalar(select(User).where(User.username == "student1"))
        shop_id = session.scalar(select(ShopMember.shop_id).where(ShopMember.user_id == student.id))
        token, _ = tokens.issue(session, student, datetime.now(UTC))
        key, _ = buyer_keys.issue(session, shop_id, label="bench", issued_by=None)
        details = {k: v for k, v in BUYER.items() if k != "customer_id"}
        buyer_keys.save_customer(session, shop_id, BUYER["customer_id"], details)
    with gateway.reading() as session:
        messages = session.scalars(select(OutboxMessage.message).where(OutboxMessage.shop_id == shop_id)).all()
    for name in ("orders", "tickets"):
        consumer = runtimes[name].consumer
        for message in messages:
            event = parse_message(json.loads(message))
            if event.type in consumer.handlers:
                consumer.handle(event)
    with runtimes["orders"].db.writing() as session:
        session.execute(update(Sku).where(Sku.shop_id == shop_id).values(stock=10**9))
    for runtime in runtimes.values():
        runtime.db.engine.dispose()
    return {"shop_id": shop_id, "token": token, "key": key}


def lua_scripts(root: Path, fixture: dict[str, str], order_id: str, internal: str) -> dict[str, Path]:
    def headers(pairs: dict[str, str]) -> str:
        return "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in pairs.items())

    skus = ", ".join(f'"{sku}"' for sku in SKUS)
    address = json.dumps(ADDRESS, ensure_ascii=False)
    staff = {"Authorization": f"Bearer {fixture['token']}"}
    buyer = {"Authorization": f"Bearer {fixture['key']}", "X-Customer-Id": BUYER["customer_id"]}
    direct = {"X-ShopLab-Internal-Token": internal}
    json_type = {"Content-Type": "application/json"}
    texts = {
        "read_direct": GET_LUA % {"headers": headers(direct)},
        "read_gateway": GET_LUA % {"headers": headers(staff)},
        "place_direct": POST_LUA % {"skus": skus, "headers": headers({**direct, **json_type}), "address": address,
                                    "buyer": f'"buyer": {json.dumps(BUYER, ensure_ascii=False)}, '},
        "place_gateway": POST_LUA % {"skus": skus, "headers": headers({**buyer, **json_type}), "address": address,
                                     "buyer": ""},
    }  # fmt: skip
    paths = {}
    for name, text in texts.items():
        paths[name] = root / f"{name}.lua"
        paths[name].write_text(text)
    return paths


def paced(url_fn, session_headers: dict, rate: float, seconds: float, method: str, body=None) -> list[float]:
    """Requests at a fixed rate (scheduled, not waiting on the previous answer's delay); each one's latency."""
    latencies: list[float] = []
    session = requests.Session()
    session.headers.update(session_headers)
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        due = started + n / rate
        time.sleep(max(0.0, due - time.monotonic()))
        begun = time.monotonic()
        response = session.request(method, url_fn(n), json=body(n) if body else None, timeout=10)
        latencies.append(time.monotonic() - begun if response.ok else float("inf"))
        n += 1
    return latencies


def drained(redis_url: str, timeout: float = 600) -> None:
    """Wait until the gateway's worker has handled every event already queued for it (the pass-through rounds
    placed thousands of orders): the stream is measured on a worker that keeps up, not on an old backlog."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while client.llen("gateway") and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else float("nan")


def steady_load(base: str, fixture: dict, order_id: str, seconds: float) -> dict[str, list[float]]:
    """Order placements (buyer API) and order reads (a student), paced, side by side through the gateway."""
    shop = fixture["shop_id"]
    place_rate = float(os.environ.get("BENCH_PACED_PLACE", 10))
    read_rate = float(os.environ.get("BENCH_PACED_READ", 40))
    results: dict[str, list[float]] = {}
    order = {"address": ADDRESS, "lines": [{"sku": SKUS[0], "quantity": 1}]}
    jobs = {
        "place": (lambda n: f"{base}/api/v1/buyer/shops/{shop}/orders",
                  {"Authorization": f"Bearer {fixture['key']}", "X-Customer-Id": BUYER["customer_id"]},
                  place_rate, "POST", lambda n: order),
        "read": (lambda n: f"{base}/api/v1/shops/{shop}/orders/{order_id}",
                 {"Authorization": f"Bearer {fixture['token']}"}, read_rate, "GET", None),
    }  # fmt: skip
    threads = [
        threading.Thread(target=lambda k=k, a=a: results.__setitem__(k, paced(*a[:2], a[2], seconds, a[3], a[4])))
        for k, a in jobs.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> int:
    ensure_wrk()
    load_before = os.getloadavg()
    seconds = int(os.environ.get("BENCH_SECONDS", 10))
    connections = int(os.environ.get("BENCH_CONNECTIONS", 16))
    wrk_threads = int(os.environ.get("BENCH_THREADS", 2))
    streams = int(os.environ.get("BENCH_STREAMS", 60))
    stream_seconds = float(os.environ.get("BENCH_STREAM_SECONDS", 20))
    root = Path(tempfile.mkdtemp(prefix="shoplab-bench-gateway-"))
    internal = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update(
        SHOPLAB_VAR_DIR=str(root / "var"), SHOPLAB_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        SHOPLAB_INTERNAL_TOKEN=internal, SHOPLAB_SECRET_KEY="bench", PYTHONUNBUFFERED="1",
        **{f"SHOPLAB_{name.upper()}_PORT": str(free_port()) for name in SERVED},
    )  # fmt: skip
    os.environ.clear()
    os.environ.update(env)
    from shoplab.redis_server import start_redis
    from shoplab.supervisor import web_command, worker_command
    from shoplab.topology import SERVICES

    processes: list[subprocess.Popen] = []
    try:
        redis_port = int(env["SHOPLAB_REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        processes.append(start_redis(redis_port, root / "redis", root / "redis.log"))
        fixture = prepare()
        servers = {}
        for name in SERVED:
            log = (root / f"{name}.log").open("ab")
            servers[name] = subprocess.Popen(web_command(name), cwd=PROJECT_ROOT, env=env, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
            processes.append(servers[name])
        for name in SERVED:
            wait_http(f"{SERVICES[name].url}/openapi.json", servers[name])
        gateway, orders, shop = SERVICES["gateway"].url, SERVICES["orders"].url, fixture["shop_id"]
        first = requests.post(
            f"{gateway}/api/v1/buyer/shops/{shop}/orders",
            headers={"Authorization": f"Bearer {fixture['key']}", "X-Customer-Id": BUYER["customer_id"]},
            json={"address": ADDRESS, "lines": [{"sku": SKUS[0], "quantity": 1}]},
            timeout=10,
        )
        assert first.status_code == 201, first.text
        order_id = first.json()["id"]
        scripts = lua_scripts(root, fixture, order_id, internal)
        urls = {
            "read_direct": (servers["orders"], f"{orders}/shops/{shop}/orders/{order_id}"),
            "read_gateway": (servers["gateway"], f"{gateway}/api/v1/shops/{shop}/orders/{order_id}"),
            "place_direct": (servers["orders"], f"{orders}/shops/{shop}/orders"),
            "place_gateway": (servers["gateway"], f"{gateway}/api/v1/buyer/shops/{shop}/orders"),
        }
        from loadtests.bench_orders import run_wrk

        for name, (_, url) in urls.items():  # warm-up
            run_wrk(url, scripts[name], 2, connections, wrk_threads)
        rounds: list[dict[str, dict]] = []
        for _ in range(int(os.environ.get("BENCH_ROUNDS", 3))):
            rounds.append({name: balanced_run(master, url, scripts[name], seconds, connections, wrk_threads)
                           for name, (master, url) in urls.items()})  # fmt: skip
        medians = {name: sorted((r[name] for r in rounds), key=lambda f: f["rps"])[len(rounds) // 2] for name in urls}

        worker = subprocess.Popen(worker_command("gateway"), cwd=PROJECT_ROOT, env=env,
                                  stdout=(root / "gateway-worker.log").open("ab"), stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
        processes.append(worker)
        drained(env["SHOPLAB_REDIS_URL"])  # the worker drains what the pass-through rounds left on its queue
        quiet = steady_load(gateway, fixture, order_id, 10)
        clients = SseClients(SERVICES["gateway"].host, SERVICES["gateway"].port, f"/api/v1/shops/{shop}/stream",
                             {"Authorization": f"Bearer {fixture['token']}"}, streams)  # fmt: skip
        time.sleep(1)
        clients.lags.clear()
        busy = steady_load(gateway, fixture, order_id, stream_seconds)
        time.sleep(1)
        clients.close()
        report(rounds, medians, quiet, busy, clients, streams, load_before)
        return 0
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(root, ignore_errors=True)


def report(rounds, medians, quiet, busy, clients, streams, load_before) -> None:
    from shoplab.supervisor import web_command

    command = web_command("gateway")
    print()
    print(f"gateway: gunicorn gthread --workers {command[command.index('--workers') + 1]} "
          f"--threads {command[command.index('--threads') + 1]}; {os.cpu_count()} cores; SQLite")  # fmt: skip
    print(f"pass-through, medians of {len(rounds)} alternating rounds (wrk):")
    print(f"{'':32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for name, figures in medians.items():
        print(f"{name:32}{figures['rps']:>9.0f}{figures['p50_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
              f"{figures['non_2xx']:>9}")  # fmt: skip
    ratios = {}
    for call in ("read", "place"):
        ratios[call] = medians[f"{call}_gateway"]["rps"] / medians[f"{call}_direct"]["rps"]
        per_round = ", ".join(f"{r[f'{call}_gateway']['rps']:.0f}/{r[f'{call}_direct']['rps']:.0f}" for r in rounds)
        verdict = "met" if ratios[call] >= 0.7 else "MISSED"
        print(f"  order {call}: gateway / direct = {ratios[call]:.2f} (target >= 0.70: {verdict}); rounds {per_round}")
    lags = clients.lags
    p50, p99 = percentile(lags, 0.5), percentile(lags, 0.99)
    print(f"stream: {clients.connected} of {streams} clients connected, errors {len(clients.errors)}; "
          f"{len(lags)} notifications received")  # fmt: skip
    print(f"  commit -> client: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {max(lags or [0]) * 1000:.0f} ms "
          f"(target p99 < 1000 ms: {'met' if p99 < 1.0 else 'MISSED'})")  # fmt: skip
    for label, load in (("without streams", quiet), (f"with {streams} streams", busy)):
        parts = []
        for call, values in load.items():
            failed = sum(1 for v in values if v == float("inf"))
            parts.append(f"{call} {len(values)} req p50 {percentile(values, 0.5) * 1000:.0f} ms "
                         f"p99 {percentile(values, 0.99) * 1000:.0f} ms failed {failed}")  # fmt: skip
        print(f"  paced requests {label}: " + "; ".join(parts))
    load = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f}, after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    summary = {"ratios": {k: round(v, 3) for k, v in ratios.items()}, "stream_p50_s": p50, "stream_p99_s": p99,
               "notifications": len(lags), "clients": clients.connected,
               "paced_p99_ms": {k: percentile(v, 0.99) * 1000 for k, v in busy.items()}}  # fmt: skip
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary.items()}))


if __name__ == "__main__":
    sys.exit(main())
