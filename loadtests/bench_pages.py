"""``make bench-pages``: the web pages' server time with 60 signed-in students working.

A class of 60 students in 30 team shops (two to a shop, taobao), each with buyers who ordered and asked, all run as
``make run`` runs them (``shoplab.supervisor`` commands: the gateway, orders and tickets under gunicorn gthread,
their Celery workers), on SQLite in a private SHOPLAB_VAR_DIR with a private Redis on a free port.

Every student's browser holds the live stream open and refreshes what a notification concerns, as the page's
script does (the queue fragment; the open conversation's live part when the event is about it, reusing the order's
parts and asking only for the messages after the last one it shows when the event is a message's). A stream counts
as connected at its ``hello``. Between notifications each student acts at a person's pace, one action every
``BENCH_THINK`` seconds on average (seeded): the workbench page, opening a conversation, the reply check while
typing, a reply through the public API, the work lists, an order's page, My metrics. Meanwhile buyers write in
random shops. For each page the gateway's own time (its ``Server-Timing`` header) and the time the student waited
are recorded; the target is a p95 server time under 300 ms for every page. Nothing is left running afterwards.

Environment: BENCH_STUDENTS (60), BENCH_SECONDS (60), BENCH_THINK (6 s), BENCH_BUYER_RATE (1 message a second).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import requests

from loadtests.bench_gateway import percentile
from loadtests.bench_orders import free_port, stop, wait_http

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVED = ("gateway", "orders", "tickets")
ADDRESS = {"recipient": "王小明", "line1": "文三路 90 号", "city": "杭州", "country": "CN"}
QUESTIONS = ["这件有 XL 吗？", "什么时候发货？", "可以便宜点吗？", "付款失败了怎么办", "快递到哪了？"]
TARGET_MS = 300
MESSAGE_ID = re.compile(r'data-message-id="(\d+)"')


def prepare(students: int) -> list[dict]:
    """A class of ``students`` in team shops of two, each signed in with a browser cookie (issued directly)."""
    from datetime import UTC, datetime

    from gateway import accounts, buyer_keys, passwords, shops, tokens
    from gateway.service import SPEC
    from shoplab.plumbing.runtime import ServiceRuntime

    runtime = ServiceRuntime(SPEC)
    runtime.migrate()
    seats = []
    with runtime.db.writing() as session:
        room = accounts.create_classroom(session, "压测班 Bench class")
        session.flush()
        password_hash = passwords.hash_password("bench-password")
        for index in range(0, students, 2):
            shop = shops.open_shop(session, name=f"压测店 {index // 2 + 1}", platform="taobao", class_id=room.id)
            session.flush()
            key, _ = buyer_keys.issue(session, shop.id, label="bench buyers", issued_by=None)
            for number in range(index, min(index + 2, students)):
                user = accounts.create_user(
                    session, username=f"bench{number:03d}", password="bench-password", role="student",
                    display_name=f"学生{number:03d}", class_id=room.id, password_hash=password_hash,
                )  # fmt: skip
                session.flush()
                accounts.seat_in_shop(session, shop, user)
                token, row = tokens.issue(session, user, datetime.now(UTC), "browser")
                seats.append({"shop_id": shop.id, "key": key, "cookie": token, "csrf": row.csrf_token,
                              "user_id": user.id})  # fmt: skip
    runtime.db.engine.dispose()
    return seats


def buyers_ask(gateway: str, seats: list[dict], per_shop: int) -> dict[str, list[tuple[str, str, str]]]:
    """In every shop, ``per_shop`` customers order and ask (the buyer API); (customer, ticket, order) per shop."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for shop_id, key in {seat["shop_id"]: seat["key"] for seat in seats}.items():
        base = f"{gateway}/api/v1/buyer/shops/{shop_id}"
        auth = {"Authorization": f"Bearer {key}"}
        sku = _retry(lambda b=base, a=auth: requests.get(f"{b}/products", headers=a, timeout=10))[0]["skus"][0]["sku"]
        for number in range(per_shop):
            customer = f"c{number}"
            details = {"name": f"买家{number}", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
            requests.put(f"{base}/customers/{customer}", headers=auth, json=details, timeout=10).raise_for_status()
            who = {**auth, "X-Customer-Id": customer}
            order = requests.post(f"{base}/orders", headers=who, timeout=10,
                                  json={"address": ADDRESS, "lines": [{"sku": sku, "quantity": 1}]}).json()  # fmt: skip
            ticket = requests.post(
                f"{base}/tickets",
                headers=who,
                timeout=10,
                json={"body": QUESTIONS[number % 5], "kind": "order", "order_id": order["id"]},
            )
            found[shop_id].append((customer, ticket.json()["id"], order["id"]))  # fmt: skip
    return found


def _retry(call, attempts: int = 120):
    for _ in range(attempts):
        answer = call()
        if answer.ok:
            return answer.json()
        time.sleep(0.5)  # the shop's catalog is still on its way to the orders service
    answer.raise_for_status()


class Student(threading.Thread):
    """One student's browser: what they open at a person's pace, and what the page refreshes by itself when its
    live stream rings (the queue; the open conversation when the event is about it), as ``static/app.js`` does."""

    def __init__(self, gateway: str, seat: dict, work: list, seconds: float, think: float, seed: int, record) -> None:
        super().__init__(daemon=True)
        self.gateway, self.seat, self.work = gateway, seat, work
        self.seconds, self.think, self.record = seconds, think, record
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.http.cookies.set("shoplab_session", seat["cookie"])
        self.http.headers["X-CSRF-Token"] = seat["csrf"]
        self.rang = threading.Event()
        self.causes: list[tuple[str, dict]] = []
        self.lags: list[float] = []
        self.connected: float | None = None  # seconds from the start to the stream's hello
        self.stream_error: str | None = None  # why the stream ended early, if it did
        self.open = self.random.choice(work)
        self.shown: dict[str, int] = {}  # ticket -> the last message id its page shows (the page's ``after``)

    def page(self, name: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            answer = self.http.request(method, self.gateway + path, timeout=30, **kwargs)
        except requests.RequestException:
            self.record(name, None, None, False, "no answer")
            return None
        waited = time.perf_counter() - started
        timing = answer.headers.get("Server-Timing", "")
        server = float(timing.split("dur=")[1]) / 1000 if "dur=" in timing else None
        ok = answer.status_code < 400 or answer.status_code in (409, 422)
        self.record(name, server, waited, ok, None if ok else answer.status_code)
        return answer

    def conversation(self, name: str, ticket: str, query: str = "") -> None:
        """The conversation or its live part, noting the last message it shows, as the page's script reads it."""
        answer = self.page(name, "GET", f"/desk/{self.seat['shop_id']}/tickets/{ticket}{query}")
        if answer is not None and answer.ok:
            ids = [int(found) for found in MESSAGE_ID.findall(answer.text)]
            if ids:
                self.shown[ticket] = max(ids + [self.shown.get(ticket, 0)])

    def listen(self) -> None:
        """The page's EventSource: each notification of the shop asks for a refresh."""
        url = f"{self.gateway}/api/v1/shops/{self.seat['shop_id']}/stream"
        started = time.monotonic()
        try:
            with self.http.get(url, stream=True, timeout=(5, self.seconds + 30)) as stream:
                if stream.status_code != 200:
                    self.stream_error = f"status {stream.status_code}"
                    return
                kind = ""
                for line in stream.iter_lines(decode_unicode=True):
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "hello":
                        self.connected = time.monotonic() - started
                    elif line.startswith("data: ") and kind in ("reset", "signed_out"):
                        self.causes.append(("reset", {}))  # the page reloads what it shows
                        self.rang.set()
                    elif line.startswith("data: ") and kind:
                        entry = json.loads(line[6:])
                        self.lags.append(time.time() - datetime.fromisoformat(entry["occurred_at"]).timestamp())
                        self.causes.append((kind, entry.get("ids") or {}))
                        self.rang.set()
        except (requests.RequestException, ValueError, KeyError) as exc:
            self.stream_error = type(exc).__name__

    def refresh(self) -> None:
        causes, self.causes = self.causes, []
        message_only = all(kind.split(".")[0] in ("message", "ticket", "csat") for kind, _ in causes)
        cause = "&cause=message" if message_only else ""
        desk = f"/desk/{self.seat['shop_id']}"
        self.page("queue fragment (live)", "GET", f"{desk}/queue?tab=all{cause}")
        _, ticket, order = self.open
        if any(ids.get("ticket_id") == ticket or ids.get("order_id") == order for _, ids in causes):
            after = f"&after={self.shown[ticket]}" if cause and ticket in self.shown else ""
            self.conversation("conversation live part", ticket, f"?live=1{cause}{after}")

    def act(self) -> None:
        shop = self.seat["shop_id"]
        desk = f"/desk/{shop}"
        _, ticket, order = self.open
        action = self.random.random()
        if action < 0.15:
            self.page("workbench", "GET", desk)
        elif action < 0.40:
            self.open = self.random.choice(self.work)
            self.conversation("conversation (opened)", self.open[1])
        elif action < 0.55:
            self.page("reply check (API)", "POST", f"/api/v1/shops/{shop}/reply-check", json={"body": "亲，有货的"})
        elif action < 0.75:
            self.page("reply (API)", "POST", f"/api/v1/shops/{shop}/tickets/{ticket}/messages",
                      json={"body": "亲，已经为您查询，请稍等"})  # fmt: skip
        elif action < 0.85:
            self.page("work lists", "GET", f"{desk}/work")
        elif action < 0.95:
            self.page("order page", "GET", f"{desk}/orders/{order}")
        else:
            self.page("my metrics", "GET", f"{desk}/metrics")

    def run(self) -> None:
        threading.Thread(target=self.listen, daemon=True).start()
        ends = time.monotonic() + self.seconds
        next_action = time.monotonic() + self.random.expovariate(1 / self.think)
        while time.monotonic() < ends:
            if self.rang.wait(max(0.0, next_action - time.monotonic())):
                self.rang.clear()
                time.sleep(0.12)  # the page gathers the pings of a burst, as app.js does
                self.refresh()
                continue
            self.act()
            next_action = time.monotonic() + self.random.expovariate(1 / self.think)


def buyers_write(gateway: str, keys: dict[str, str], work: dict, rate: float, stop_at: float, seed: int) -> None:
    """Buyers writing again in random conversations, paced: each message rings its shop's live stream."""
    chooser = random.Random(seed)
    http = requests.Session()
    n = 0
    started = time.monotonic()
    while time.monotonic() < stop_at:
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        shop_id = chooser.choice(list(work))
        customer, ticket, _ = chooser.choice(work[shop_id])
        try:  # a buyer whose message timed out writes again later; the buyers go on (they died with it before)
            http.post(f"{gateway}/api/v1/buyer/shops/{shop_id}/tickets/{ticket}/messages", timeout=10,
                      headers={"Authorization": f"Bearer {keys[shop_id]}", "X-Customer-Id": customer},
                      json={"body": chooser.choice(QUESTIONS)})  # fmt: skip
        except requests.RequestException:
            pass
        n += 1


def cpu_seconds(processes: dict[str, subprocess.Popen]) -> dict[str, float]:
    """CPU time (user + system) used so far by each started process and its children (gunicorn's workers, the
    Celery pool), read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    totals = {}
    for name, process in processes.items():
        tree, frontier = {process.pid}, [process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            tree.update(children)
            frontier.extend(children)
        totals[name] = sum(used.get(pid, 0.0) for pid in tree)
    return totals


class Recorder:
    def __init__(self) -> None:
        self.server: dict[str, list[float]] = defaultdict(list)
        self.waited: dict[str, list[float]] = defaultdict(list)
        self.failed: dict[str, int] = defaultdict(int)
        self.why: dict[str, int] = defaultdict(int)  # what the failures were (status codes)
        self.lock = threading.Lock()

    def __call__(self, name: str, server: float | None, waited: float | None, ok: bool, why=None) -> None:
        with self.lock:
            if not ok:
                self.failed[name] += 1
                self.why[f"{name}: {why}"] += 1
            if server is not None:
                self.server[name].append(server)
            if waited is not None:
                self.waited[name].append(waited)


def main() -> int:
    students = int(os.environ.get("BENCH_STUDENTS", 60))
    seconds = float(os.environ.get("BENCH_SECONDS", 60))
    think = float(os.environ.get("BENCH_THINK", 6.0))
    buyer_rate = float(os.environ.get("BENCH_BUYER_RATE", 1.0))
    load_before = os.getloadavg()
    root = Path(tempfile.mkdtemp(prefix="shoplab-bench-pages-"))
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update(
        SHOPLAB_VAR_DIR=str(root / "var"), SHOPLAB_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        SHOPLAB_INTERNAL_TOKEN=uuid.uuid4().hex, SHOPLAB_SECRET_KEY="bench", PYTHONUNBUFFERED="1",
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
        for name in SERVED:  # each process migrates its own database first, as make run does
            from shoplab.plumbing.runtime import ServiceRuntime, load_spec

            ServiceRuntime(load_spec(name)).migrate()
        seats = prepare(students)
        webs, named = {}, {}
        for name in SERVED:
            for command, label in ((web_command(name), name), (worker_command(name), f"{name}-worker")):
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=PROJECT_ROOT,
                        env=env,
                        start_new_session=True,
                        stdout=(root / f"{label}.log").open("ab"),
                        stderr=subprocess.STDOUT,
                    )
                )
                named[label] = processes[-1]  # fmt: skip
                webs.setdefault(name, processes[-1])
        for name in SERVED:
            wait_http(f"{SERVICES[name].url}/openapi.json", webs[name], timeout=120)
        gateway = SERVICES["gateway"].url
        prepared = time.monotonic()
        work = buyers_ask(gateway, seats, per_shop=5)
        print(f"{len(seats)} students in {len(work)} shops, {sum(map(len, work.values()))} conversations "
              f"({time.monotonic() - prepared:.0f} s to prepare)", flush=True)  # fmt: skip
        for seat in seats:  # every student goes online first (the queue's routing: not what is measured)
            requests.post(f"{gateway}/api/v1/shops/{seat['shop_id']}/agents/me/status", json={"status": "online"},
                          cookies={"shoplab_session": seat["cookie"]}, headers={"X-CSRF-Token": seat["csrf"]},
                          timeout=30).raise_for_status()  # fmt: skip
        record = Recorder()
        crowd = [Student(gateway, seat, work[seat["shop_id"]], seconds, think, index, record)
                 for index, seat in enumerate(seats)]  # fmt: skip
        keys = {seat["shop_id"]: seat["key"] for seat in seats}
        buyers = threading.Thread(target=buyers_write, daemon=True,
                                  args=(gateway, keys, work, buyer_rate, time.monotonic() + seconds, 7))  # fmt: skip
        cpu_before = cpu_seconds(named)
        for student in crowd:
            student.start()
        buyers.start()
        for student in crowd:
            student.join(seconds + 60)
        buyers.join(10)
        cpu = {name: used - cpu_before[name] for name, used in cpu_seconds(named).items()}
        lags = [lag for student in crowd for lag in student.lags]
        listening = sum(1 for student in crowd if student.connected is not None)
        report(record, students, seconds, think, listening, len(lags), lags, load_before)
        notified = sum(1 for student in crowd if student.lags)
        hellos = [student.connected for student in crowd if student.connected is not None]
        errors = defaultdict(int)
        for student in crowd:
            if student.stream_error:
                errors[student.stream_error] += 1
        print(f"streams: {len(hellos)} said hello (slowest after {max(hellos, default=0):.2f} s), {notified} rang "
              f"at least once; ended early: {dict(errors) or 'none'}")  # fmt: skip
        pages = sum(len(values) for values in record.waited.values())
        print(
            f"CPU seconds used during the run ({pages} requests): "
            + ", ".join(f"{name} {used:.1f}" for name, used in sorted(cpu.items(), key=lambda kv: -kv[1]))
        )
        return 0
    finally:
        for process in reversed(processes):
            stop(process)
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept: {root}")


def report(record: Recorder, students, seconds, think, connected, notified, lags, load_before) -> None:
    from shoplab.supervisor import web_command

    command = web_command("gateway")
    print()
    print(f"{students} students, {seconds:.0f} s, one action every {think:.1f} s on average each; gateway gunicorn "
          f"gthread --workers {command[command.index('--workers') + 1]} --threads "
          f"{command[command.index('--threads') + 1]}; {os.cpu_count()} cores; SQLite")  # fmt: skip
    print(
        f"live streams: {connected} of {students} connected (hello), {notified} notifications; "
        f"event -> student p50 {percentile(lags, 0.5) * 1000:.0f} ms, p95 {percentile(lags, 0.95) * 1000:.0f} ms"
    )
    print(f"{'page':28}{'requests':>9}{'failed':>8}{'server p50':>12}{'p95':>8}{'p99':>8}{'waited p95':>12}  target")
    verdicts = {}
    for name in sorted(record.server):
        server, waited = record.server[name], record.waited[name]
        p95 = percentile(server, 0.95) * 1000
        verdicts[name] = p95 < TARGET_MS
        print(f"{name:28}{len(waited):>9}{record.failed[name]:>8}{percentile(server, 0.5) * 1000:>12.0f}"
              f"{p95:>8.0f}{percentile(server, 0.99) * 1000:>8.0f}{percentile(waited, 0.95) * 1000:>12.0f}  "
              f"{'met' if verdicts[name] else 'MISSED'}")  # fmt: skip
    load = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f}, after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    summary = {name: round(percentile(values, 0.95) * 1000) for name, values in record.server.items()}
    if record.why:
        print("failures: " + ", ".join(f"{what} x{count}" for what, count in sorted(record.why.items())))
    print(json.dumps({"server_p95_ms": summary, "all_met": all(verdicts.values()), "failed": dict(record.failed)}))


if __name__ == "__main__":
    sys.exit(main())
