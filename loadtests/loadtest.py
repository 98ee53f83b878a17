"""``make loadtest``: the promotion-day load test, start to report.

1. Starts the embedded stack (``python -m shoplab.supervisor``, as ``make run``) on free ports, with its own Redis and
   var folder (``var/loadtest/stack``), and waits for its banner.
2. Seeds: the demo class comes with ``make run``; the instructor issues a buyer key for each of its shops
   (``var/loadtest/shops.json``, read by the locustfile).
3. Runs locust headless with ``loadtests/locustfile.py`` (its ``PromotionDay`` shape ends the run; a time bound
   stops it anyway) and writes locust's CSV and HTML reports; meanwhile it scrapes every service's ``/metrics`` every
   2 s for the event lag histogram (``shoplab_event_lag_seconds``).
4. Stops the stack and writes our report (``loadtests/loadtest_report.py``): requests/s, p50 and p99 per route,
   errors, event lag per subscriber over time, as an offline HTML page with the vendored ECharts.

Settings by environment: ``LOADTEST_MINUTES`` (4), ``LOADTEST_BASE_USERS`` (4: ten times that at the peak),
``LOADTEST_OUT`` (``var/loadtest``). Everything it started is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

from loadtests import loadtest_report
from shoplab.topology import SERVICES

ROOT = Path(__file__).resolve().parent.parent
LAG_LINE = re.compile(r"^shoplab_event_lag_seconds_(bucket|sum|count)\{(.*)\} (\S+)$")
LABEL = re.compile(r'(\w+)="([^"]*)"')
READY_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """``make run`` on private ports and folder; its output goes to ``stack.log``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.ports = {name: free_port() for name in SERVICES}
        self.env = {key: value for key, value in os.environ.items() if not key.endswith("DATABASE_URL")}
        self.env.update(PYTHONUNBUFFERED="1", SHOPLAB_VAR_DIR=str(out / "stack"),
                        SHOPLAB_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # fmt: skip
        for name, port in self.ports.items():
            self.env[f"SHOPLAB_{name.upper()}_PORT"] = str(port)
            self.env.pop(f"SHOPLAB_{name.upper()}_URL", None)
        self.process: subprocess.Popen | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self) -> None:
        log = open(self.out / "stack.log", "wb")  # noqa: SIM115 (kept open for the child's life)
        self.process = subprocess.Popen([sys.executable, "-m", "shoplab.supervisor"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if "ShopLab is up" in (self.out / "stack.log").read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not come up; see {self.out / 'stack.log'}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def seed(stack: Stack, out: Path) -> Path:
    """A buyer key for every shop of the demo class, for the locustfile."""
    gateway = stack.url("gateway")
    login = requests.post(f"{gateway}/api/v1/auth/login", json={"username": "teacher", "password": "teacher-demo"},
                          timeout=30)  # fmt: skip
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    shops = []
    for shop in requests.get(f"{gateway}/api/v1/shops", headers=headers, timeout=30).json():
        key = requests.post(f"{gateway}/api/v1/shops/{shop['id']}/buyer-keys", json={"label": "load test"},
                            headers=headers, timeout=30)  # fmt: skip
        key.raise_for_status()
        shops.append({"shop_id": shop["id"], "platform": shop["platform"], "key": key.json()["key"]})
    path = out / "shops.json"
    path.write_text(json.dumps(shops, indent=2), encoding="utf-8")
    return path


class LagScraper(threading.Thread):
    """Every 2 s, every service's event lag histogram (summed over producers): ``samples`` of (unix time,
    subscriber, cumulative bucket counts by upper bound, sum, count)."""

    def __init__(self, stack: Stack, every: float = 2.0) -> None:
        super().__init__(name="lag-scraper", daemon=True)
        self.stack, self.every = stack, every
        self.samples: list[dict[str, Any]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            for name in SERVICES:
                try:
                    text = requests.get(f"{self.stack.url(name)}/metrics", timeout=5).text
                except requests.RequestException:
                    continue
                sample = parse_lag(text)
                if sample["count"]:
                    self.samples.append({"at": time.time(), "subscriber": name, **sample})


def parse_lag(text: str) -> dict[str, Any]:
    buckets: dict[str, float] = defaultdict(float)
    total = {"sum": 0.0, "count": 0.0}
    for line in text.splitlines():
        match = LAG_LINE.match(line)
        if not match:
            continue
        kind, labels, value = match.groups()
        if kind == "bucket":
            buckets[dict(LABEL.findall(labels))["le"]] += float(value)
        else:
            total[kind] += float(value)
    return {"buckets": dict(buckets), **total}


def run_locust(stack: Stack, out: Path, shops: Path, minutes: float) -> int:
    env = {**os.environ, "LOADTEST_SHOPS": str(shops), "LOADTEST_MINUTES": str(minutes), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"), "--headless",
        "--host", stack.url("gateway"), "--csv", str(out / "locust"), "--csv-full-history",
        "--html", str(out / "locust.html"), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(out / "locust.log", "wb") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            return locust.wait(minutes * 60 + 120)  # the shape ends it; this bounds it
        except subprocess.TimeoutExpired:
            locust.send_signal(signal.SIGINT)
            return locust.wait(30)
        finally:
            if locust.poll() is None:
                locust.kill()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    out = Path(os.environ.get("LOADTEST_OUT", ROOT / "var" / "loadtest"))
    minutes = float(os.environ.get("LOADTEST_MINUTES", "4"))
    shutil.rmtree(out / "stack", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    stack = Stack(out)
    scraper = LagScraper(stack)
    load_before = uptime()
    try:
        print(f"loadtest: starting the stack (log: {out / 'stack.log'}) ...", flush=True)
        stack.start()
        shops = seed(stack, out)
        print(f"loadtest: {len(json.loads(shops.read_text()))} shops; locust for {minutes:g} min ...", flush=True)
        scraper.start()
        code = run_locust(stack, out, shops, minutes)
        time.sleep(4)  # the events of the last requests reach their subscribers
    finally:
        scraper.stopping.set()
        stack.stop()
    report = loadtest_report.write(out, scraper.samples, load_before=load_before, load_after=uptime(),
                                   command="make loadtest", minutes=minutes)  # fmt: skip
    print(loadtest_report.summary_text(report), flush=True)
    print(f"loadtest: locust exited {code}; reports in {out} (report.html, locust.html, locust_*.csv)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
