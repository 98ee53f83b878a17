"""A scenario's scripted injections on the real stack (issue 13, point 5): an instructor starts a scenario whose YAML
injects a flood of pre-sale questions and an angry buyer at given scenario times; the simulator process (in this
test's process, over HTTP) sends them to the gateway's route for the run, and they reach the student's queue through
the real bus, recorded in the shop's injections as the run's. The route's fences: the internal credential, an
unknown run (404), bad input (422 naming the field), nothing to act on (recorded as skipped), a stopped run (409).
"""

from __future__ import annotations

import threading

import pytest

from shoplab import settings
from shoplab.plumbing.auth import HEADER
from simulator.runner import SimulatorProcess
from tests.integration.gateway.conftest import ServedApps
from tests.integration.simulator.conftest import call as _call
from tests.stack import eventually

SCENARIO = "scripted_injections_test"
YAML = f"""
name: {SCENARIO}
title: Scripted injections (test)
title_zh: 脚本注入（测试）
platforms: [aliexpress, ebay]
learning_goal: Keep answering while a wave of questions and an angry buyer arrive.
learning_goal_zh: 在咨询高峰和愤怒买家出现时保持接待。
seed: 20261202
duration: 2h
clock_speed: 1
buyers:
  count: 20
  languages: [en]
order_rate:
  - {{at: 0m, per_hour: 120}}
behaviour:
  ask: 0.8
  problem: 0.0
  review: 0.0
injections:
  - {{at: 2m, kind: presale_flood, count: 3, note: "a sudden wave"}}
  - {{at: 3m, kind: lost_parcel}}
  - {{at: 20m, kind: angry_message}}
kpis:
  - {{metric: tickets.response_rate_within, within: 180, target: ">= 0.9"}}
"""


@pytest.fixture
def living(stack, tmp_path, monkeypatch):
    (tmp_path / f"{SCENARIO}.yaml").write_text(YAML, encoding="utf-8")
    monkeypatch.setattr("simulator.scenario.SCENARIO_DIR", tmp_path)  # the gateway and the runner read it alike
    apps = ServedApps(stack)
    for name in ("gateway", "orders", "tickets", "reviews"):
        apps.serve(name)
    stack.start_workers(["gateway", "orders", "tickets"])
    process = SimulatorProcess(settle=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=process.run_forever, args=(stop,), daemon=True)
    stack.simulator = process
    yield stack, thread
    stop.set()
    if thread.is_alive():
        thread.join(10)
    apps.close()


def test_a_scenarios_scripted_injections_reach_the_students_queue(living):
    stack, thread = living
    gw = stack.client("gateway")
    teacher = stack.sign_in()
    me = _call(gw, "GET", "/api/v1/auth/me", teacher)["id"]
    login = _call(gw, "POST", "/api/v1/auth/login", {}, json={"username": "student2", "password": "student-demo"})
    student = {"Authorization": f"Bearer {login['token']}"}
    shop = _call(gw, "GET", "/api/v1/shops", student)[0]["id"]  # student2's AliExpress shop
    runs = f"/api/v1/shops/{shop}/scenario-runs"
    run = _call(gw, "POST", runs, teacher, json={"scenario": SCENARIO, "speed": 240, "seed": 3})
    internal = {HEADER: settings.internal_token()}
    known = lambda: gw.get(f"/api/v1/shops/{shop}/products", headers=student).status_code == 200  # noqa: E731
    eventually(known, timeout=30, message="the orders service knows the shop (its catalog, through the bus)")
    route = f"/internal/scenario-runs/{run['id']}/injections"

    # the route's fences, before the simulator plays: no credential, unknown run, bad input
    assert gw.post(route, json={"kind": "angry_message"}).status_code == 401
    assert gw.post(route, headers=teacher, json={"kind": "angry_message"}).status_code == 401  # a person's sign-in
    _call(gw, "POST", "/internal/scenario-runs/nosuchrun/injections", internal, expect=404, json={"kind": "dispute"})
    bad = _call(gw, "POST", route, internal, expect=422, json={"kind": "meteor"})
    assert "kind" in bad["fields"]
    bad = _call(gw, "POST", route, internal, expect=422, json={"kind": "lost_parcel", "count": 3})
    assert bad["fields"]["count"] == ["not a parameter of lost_parcel"]
    # nothing shipped yet: the scenario's lost parcel is recorded as skipped, with why, and no event
    skipped = _call(gw, "POST", route, internal, expect=202, json={"kind": "lost_parcel"})
    assert skipped["outcome"] == "skipped" and skipped["event_id"] is None and skipped["run_id"] == run["id"]
    assert "shipped" in skipped["skipped_reason"] and skipped["created_by"] == me

    thread.start()  # the simulator process picks the run up and plays its injections at their scenario times
    listing = f"/api/v1/shops/{shop}/injections"

    def sent(kind: str):
        return [i for i in _call(gw, "GET", listing, teacher) if i["kind"] == kind and i["outcome"] == "sent"]

    flood = eventually(lambda: sent("presale_flood"), timeout=60, message="the scripted flood recorded")[0]
    assert flood["run_id"] == run["id"] and flood["created_by"] == me
    assert flood["note"] == f"scripted by scenario {SCENARIO}, run {run['id']}: a sudden wave"
    assert len(flood["details"]["questions"]) == 3 and flood["language"] == "en"
    queue = f"/api/v1/shops/{shop}/tickets?status=active"
    flooded = {q["customer_id"] for q in flood["details"]["questions"]}
    eventually(
        lambda: flooded <= {t["customer_id"] for t in _call(gw, "GET", queue, student)["items"]},
        timeout=30,
        message="the flood's questions in the student's queue",
    )
    angry = eventually(lambda: sent("angry_message"), timeout=60, message="the scripted angry buyer recorded")[0]
    assert angry["run_id"] == run["id"] and angry["note"].startswith("scripted by scenario")
    eventually(
        lambda: [t for t in _call(gw, "GET", queue, student)["items"] if t["kind"] == "complaint"],
        timeout=30,
        message="the angry buyer's complaint in the student's queue",
    )
    # the simulator's own lost parcel found no shipped order among its buyers: skipped there, never sent
    assert not [i for i in _call(gw, "GET", listing, teacher) if i["kind"] == "lost_parcel" and i["outcome"] == "sent"]
    assert stack.simulator.players[run["id"]].errors == 0

    _call(gw, "POST", f"{runs}/{run['id']}/stop", teacher, json={})
    stopped = _call(gw, "POST", route, internal, expect=409, json={"kind": "angry_message"})
    assert "stopped" in stopped["message"]
