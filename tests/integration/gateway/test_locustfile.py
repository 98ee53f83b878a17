"""The load test's buyers run against a real stack for a few seconds without one error: locust, in its own process
(it monkey-patches the standard library with gevent, which must not happen inside the test process), runs
``loadtests/locustfile.py`` with its promotion-day shape compressed into 12 seconds against the gateway served over
HTTP, in front of the orders and tickets services of the test's stack."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

from shoplab.topology import SERVICES
from tests.integration.gateway.world import build_world
from tests.stack import PROJECT_ROOT


def test_the_locustfile_buyers_browse_ask_order_pay_and_track_without_errors(served, tmp_path):
    world = build_world(served)
    served.served.serve("gateway")
    shops = [{"shop_id": world.shops[name], "platform": platform, "key": world.keys[name]}
             for name, platform in (("A", "taobao"), ("B", "aliexpress"))]  # fmt: skip
    (tmp_path / "shops.json").write_text(json.dumps(shops), encoding="utf-8")
    env = {**served.env(), "LOADTEST_SHOPS": str(tmp_path / "shops.json"), "LOADTEST_MINUTES": "0.2",
           "LOADTEST_BASE_USERS": "1"}  # fmt: skip
    host = f"http://{SERVICES['gateway'].host}:{SERVICES['gateway'].port}"
    locust = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "loadtests/locustfile.py", "--headless", "--host", host,
         "--csv", str(tmp_path / "run"), "--only-summary", "--loglevel", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    with open(tmp_path / "run_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    assert int(total["Failure Count"]) == 0, (locust.stdout[-3000:], locust.stderr[-3000:])
    assert int(total["Request Count"]) >= 20
    assert "/buyer/shops/[shop]/customers/[customer]" in rows and "/buyer/shops/[shop]/products" in rows
    assert os.path.getsize(tmp_path / "run_stats.csv") > 0
