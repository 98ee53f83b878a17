"""``make bench-simulator``: does the simulator keep up with the scenario clock in 60 shops on the embedded default?

Starts ``make run`` (``python -m shoplab.supervisor``: every process, the simulator among them) on free ports with a
private SHOPLAB_VAR_DIR and Redis; stops the demo class's runs; opens BENCH_SHOPS shops (taobao) in a new class of
the demo instructor and starts BENCH_SCENARIO on all of them at BENCH_SPEED (default: the scenario's own); for
BENCH_SECONDS it reads the class's runs every 5 s and prints the buyers' actions and the lag the simulator reports
(wall seconds between a step falling due on the shop's clock and the end of the tick that ran it, the settle margin
of 1 s included), with the machine's load average (a shared machine: the figures mean little without it). Nobody
answers the buyers: they ask, wait, nudge and leave, as in a shop without staff. Nothing is left running.

Environment: BENCH_SHOPS (60), BENCH_SCENARIO (double11_promotion_day), BENCH_SPEED (the scenario's),
BENCH_SECONDS (120), BENCH_KEEP=1 keeps the var folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from loadtests.bench_gateway import percentile
from loadtests.bench_orders import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("gateway", "orders", "tickets", "reviews", "crm")


def start_stack(var_dir: Path) -> tuple[subprocess.Popen, str, list[str]]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("DATABASE_URL")}
    env.update(
        PYTHONUNBUFFERED="1", SHOPLAB_VAR_DIR=str(var_dir), SHOPLAB_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    for service in SERVICES:
        env[f"SHOPLAB_{service.upper()}_PORT"] = str(free_port())
        env.pop(f"SHOPLAB_{service.upper()}_URL", None)
    lines: list[str] = []
    process = subprocess.Popen(
        [sys.executable, "-m", "shoplab.supervisor"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip

    def read() -> None:
        assert process.stdout
        for line in process.stdout:
            lines.append(line.rstrip())

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 180
    while not any("ShopLab is up" in line for line in lines):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("make run did not come up:\n" + "\n".join(lines[-40:]))
        time.sleep(0.5)
    return process, f"http://127.0.0.1:{env['SHOPLAB_GATEWAY_PORT']}", lines


def call(method: str, url: str, headers: dict, **kw) -> object:
    response = requests.request(method, url, headers=headers, timeout=60, **kw)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")
    return response.json()


def open_class(gateway: str, shops: int, scenario: str, speed: float | None) -> tuple[dict, str]:
    token = call("POST", f"{gateway}/api/v1/auth/login", {}, json={"username": "teacher", "password": "teacher-demo"})
    teacher = {"Authorization": f"Bearer {token['token']}"}  # type: ignore[index]
    requests.post(f"{gateway}/api/v1/classes/demo-class/scenario-runs/stop", headers=teacher, json={}, timeout=60)
    room = call("POST", f"{gateway}/api/v1/classes", teacher, json={"name": "模拟器压测 Simulator bench"})["id"]  # type: ignore[index]
    for number in range(shops):
        call("POST", f"{gateway}/api/v1/shops", teacher,
             json={"name": f"bench shop {number + 1}", "platform": "taobao", "class_id": room})  # fmt: skip
    body = {"scenario": scenario, **({"speed": speed} if speed else {})}
    started = time.monotonic()
    call("POST", f"{gateway}/api/v1/classes/{room}/scenario-runs", teacher, json=body)
    print(f"started {scenario} on {shops} shops in {time.monotonic() - started:.1f} s", flush=True)
    return teacher, room


def watch(gateway: str, teacher: dict, room: str, seconds: float) -> list[float]:
    lags: list[float] = []
    started = time.monotonic()
    first_actions = None
    print("  wall s  runs  actions  actions/s  lag p50  lag max  reached(min)  load avg (1/5/15)")
    while time.monotonic() - started < seconds:
        time.sleep(5)
        runs = call("GET", f"{gateway}/api/v1/classes/{room}/scenario-runs", teacher)
        reported = [run for run in runs if run["lag_seconds"] is not None]  # type: ignore[union-attr]
        actions = sum(run["actions"] for run in runs)  # type: ignore[union-attr]
        first_actions = actions if first_actions is None else first_actions
        now_lags = [run["lag_seconds"] for run in reported]
        lags += now_lags
        elapsed = time.monotonic() - started
        load = "/".join(f"{value:.1f}" for value in os.getloadavg())
        reached = min((run["progress"] for run in runs), default=0)  # type: ignore[union-attr]
        print(
            f"  {elapsed:6.0f}  {len(reported):4d}  {actions:7d}  {actions / elapsed:9.1f}  "
            f"{percentile(now_lags, 0.5) if now_lags else 0:7.2f}  {max(now_lags, default=0):7.2f}  "
            f"{reached:12.3f}  {load}",
            flush=True,
        )
    return lags


def main() -> None:
    shops = int(os.environ.get("BENCH_SHOPS", "60"))
    scenario = os.environ.get("BENCH_SCENARIO", "double11_promotion_day")
    speed = float(os.environ["BENCH_SPEED"]) if os.environ.get("BENCH_SPEED") else None
    seconds = float(os.environ.get("BENCH_SECONDS", "120"))
    var_dir = Path(tempfile.mkdtemp(prefix="shoplab-bench-simulator-"))
    print(f"{shops} shops, {scenario} at speed {speed or 'of the scenario'}, {seconds:.0f} s; CPUs: {os.cpu_count()}; "
          f"load before: {'/'.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)  # fmt: skip
    process, gateway, lines = start_stack(var_dir)
    try:
        teacher, room = open_class(gateway, shops, scenario, speed)
        lags = watch(gateway, teacher, room, seconds)
        runs = call("GET", f"{gateway}/api/v1/classes/{room}/scenario-runs", teacher)
        actions = sum(run["actions"] for run in runs)  # type: ignore[union-attr]
        print(f"buyer actions: {actions} in {seconds:.0f} s ({actions / seconds:.1f}/s over {shops} shops)")
        if lags:
            p50, p95 = percentile(lags, 0.5), percentile(lags, 0.95)
            print(f"lag (per run and report, wall s): p50 {p50:.2f}  p95 {p95:.2f}  max {max(lags):.2f}")
        errors = [line for line in lines if "simulator" in line and ("failed" in line or "Traceback" in line)]
        print(f"simulator errors in the log: {len(errors)}")
        for line in errors[:5]:
            print("  " + line)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
