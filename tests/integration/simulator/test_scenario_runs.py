"""The simulator lives in a shop (issue 13): an instructor starts a shipped scenario through the gateway, the
simulator process (run in this test's process, talking HTTP to the served gateway) sends buyers who register, order
and ask through the buyer API, their conversations reach the student's queue through the real bus (Celery workers of
the gateway, orders and tickets), the student's reply is assessed and readable, a pause stops new actions, and the
fences hold (409 on a second start, 404 across classes, 403 for students).

The scenario runs at a high clock speed (240x: a buyer every few wall seconds) so the test stays short."""

from __future__ import annotations

import threading
import time

import pytest

from simulator.runner import SimulatorProcess
from tests.integration.gateway.conftest import ServedApps
from tests.integration.simulator.conftest import call as _call
from tests.stack import eventually

SERVED = ("gateway", "orders", "tickets", "reviews")
SCENARIO = "presale_cross_border_en"


@pytest.fixture
def living(stack):
    apps = ServedApps(stack)
    for name in SERVED:
        apps.serve(name)
    stack.start_workers(["gateway", "orders", "tickets"])
    process = SimulatorProcess(settle=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=process.run_forever, args=(stop,), daemon=True)
    stack.simulator = process
    yield stack, stop, thread
    stop.set()
    if thread.is_alive():
        thread.join(10)
    apps.close()


def _login(client, username, password):
    answer = _call(client, "POST", "/api/v1/auth/login", {}, json={"username": username, "password": password})
    return {"Authorization": f"Bearer {answer['token']}"}


def test_an_instructor_runs_a_scenario_and_buyers_reach_the_students_queue(living):
    stack, stop, thread = living
    gw = stack.client("gateway")
    teacher = stack.sign_in()
    student = _login(gw, "student2", "student-demo")
    other_student = _login(gw, "student1", "student-demo")
    admin = _login(gw, "admin", "admin-demo")
    _call(
        gw,
        "POST",
        "/api/v1/users",
        admin,
        json={"username": "teacher2", "role": "instructor", "password": "teacher2-pass", "display_name": "T2"},
    )
    teacher2 = _login(gw, "teacher2", "teacher2-pass")
    shop = _call(gw, "GET", "/api/v1/shops", student)[0]["id"]  # student2's AliExpress shop
    runs = f"/api/v1/shops/{shop}/scenario-runs"

    # fences: students may not start (403), another class's instructor does not see the shop or class (404)
    _call(gw, "POST", runs, student, expect=403, json={"scenario": SCENARIO})
    _call(gw, "POST", runs, teacher2, expect=404, json={"scenario": SCENARIO})
    _call(gw, "GET", "/api/v1/classes/demo-class/scenario-runs", teacher2, expect=404)
    _call(gw, "POST", runs, teacher, expect=422, json={"scenario": "no_such_scenario"})
    run = _call(gw, "POST", runs, teacher, json={"scenario": SCENARIO, "speed": 240, "seed": 7})
    assert run["status"] == "running" and run["speed"] == 240
    _call(gw, "POST", runs, teacher, expect=409, json={"scenario": SCENARIO})
    busy = _call(
        gw,
        "POST",
        "/api/v1/classes/demo-class/scenario-runs",
        teacher,
        expect=409,
        json={"scenario": "demo_living_queue"},
    )
    assert shop in str(busy["fields"])
    assert [r["id"] for r in _call(gw, "GET", "/api/v1/classes/demo-class/scenario-runs", teacher)] == [run["id"]]

    thread.start()  # the simulator process picks the run up
    queue = f"/api/v1/shops/{shop}/tickets?status=active"
    eventually(lambda: _call(gw, "GET", queue, student)["items"], timeout=60, message="a buyer's question in the queue")
    eventually(lambda: _call(gw, "GET", f"/api/v1/shops/{shop}/orders", student), timeout=60, message="an order")
    ticket = _call(gw, "GET", queue, student)["items"][0]
    assert ticket["customer_id"].startswith("b")  # one of the scenario's buyers, through the buyer API

    # the student answers; the buyer reads it, and its assessment is kept with every item's evidence
    staff = f"/api/v1/shops/{shop}"
    online = lambda: gw.post(f"{staff}/agents/me/status", headers=student, json={"status": "online"}).status_code == 200  # noqa: E731
    eventually(online, timeout=20, message="the student online")
    _call(gw, "POST", f"{staff}/tickets/{ticket['id']}/claim", student, expect=(200, 409), json={})
    _call(
        gw,
        "POST",
        f"{staff}/tickets/{ticket['id']}/messages",
        student,
        json={"body": "Hello dear customer, yes: it ships today and arrives within 7 days. Best regards"},
    )
    assessed = eventually(
        lambda: [
            a for a in _call(gw, "GET", f"{staff}/reply-assessments", student) if a["conversation_id"] == ticket["id"]
        ],
        timeout=30,
        message="the reply assessed",
    )
    assert assessed[0]["purpose"] and 0 <= assessed[0]["score"] <= 1
    assert {item["item"] for item in assessed[0]["items"]} >= {"greeting", "language", "forbidden"}
    assert all("evidence" in item for item in assessed[0]["items"])
    assert assessed[0]["agent_id"] == _call(gw, "GET", "/api/v1/auth/me", student)["id"]
    class_view = _call(gw, "GET", "/api/v1/classes/demo-class/reply-assessments", teacher)
    assert any(a["conversation_id"] == ticket["id"] for a in class_view)
    _call(gw, "GET", f"{staff}/reply-assessments", other_student, expect=404)
    _call(gw, "GET", "/api/v1/classes/demo-class/reply-assessments", teacher2, expect=404)
    _call(gw, "GET", "/api/v1/classes/demo-class/reply-assessments", student, expect=403)

    # progress is reported; a pause stops new actions; a stop ends the run
    progressed = eventually(
        lambda: [r for r in _call(gw, "GET", runs, student) if r["actions"] > 0 and r["reached_at"]], timeout=20
    )
    assert 0 < progressed[0]["progress"] < 1 and progressed[0]["lag_seconds"] is not None
    _call(gw, "POST", f"{runs}/{run['id']}/pause", student, expect=403, json={})
    paused = _call(gw, "POST", f"{runs}/{run['id']}/pause", teacher, json={})
    assert paused["status"] == "paused"
    _call(gw, "POST", f"{runs}/{run['id']}/pause", teacher, expect=409, json={})
    time.sleep(3.5)  # a round in flight finishes, and reports its last actions
    before = _call(gw, "GET", runs, teacher)[0]["actions"]
    time.sleep(4)
    assert _call(gw, "GET", runs, teacher)[0]["actions"] == before
    assert _call(gw, "GET", f"/api/v1/shops/{shop}", teacher)["clock"]["paused"] is True
    resumed = _call(gw, "POST", f"{runs}/{run['id']}/resume", teacher, json={})
    assert resumed["status"] == "running"
    faster = _call(gw, "POST", f"{runs}/{run['id']}/speed", teacher, json={"speed": 300})
    assert faster["speed"] == 300
    player = stack.simulator.players[run["id"]]
    assert player.errors == 0  # every buyer step ran (a refusal is a fact the buyer takes; a crash is a defect)
    stopped = _call(gw, "POST", f"{runs}/{run['id']}/stop", teacher, json={})
    assert stopped["status"] == "stopped"
    eventually(lambda: run["id"] not in stack.simulator.players, timeout=10, message="the simulator lets go")
    _call(gw, "POST", f"{runs}/{run['id']}/resume", teacher, expect=409, json={})
