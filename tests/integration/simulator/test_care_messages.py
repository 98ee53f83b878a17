"""Care messages (客户关怀) reach the simulated buyers on the real stack: crm announces a care task
(``care.task_due`` from crm's outbox, carried by the real relay), the tickets worker opens the care item, the student
writes the care message on it through the staff API, and the simulator's buyer, watching through the buyer API only
(the gateway's feed names the care item and its customer), reads it as a ``care_message``: assessed, recorded, and
answered in the same conversation. Another customer's care item is neither listed to the buyer, nor readable by
them, nor watched by the simulator."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import simulator
from shoplab.eventbus.outbox import publish
from shoplab.shops.clock import ShopClock
from shoplab.shops.profiles import load_profile
from simulator.engine import ShopSimulation
from simulator.gateway_http import BuyerApi, GatewayHttp
from simulator.http_port import HttpShopPort
from simulator.port import Refused
from simulator.scenario import load_scenario
from tests.integration.simulator.conftest import call as _call
from tests.stack import eventually

SCENARIO = Path(simulator.__file__).parent / "scenarios" / "crm_care_week.yaml"


def _care_task(stack, shop_id: str, customer_id: str, name: str, now: datetime) -> None:
    """crm announces a holiday greeting for the customer: its own outbox, committed, relayed to the queue."""
    body = f"Dear {name}, Merry Christmas from our shop!"
    payload = {
        "task_id": uuid.uuid4().hex, "customer_id": customer_id, "customer_name": name, "kind": "holiday_greeting",
        "language": "en", "channel": "platform_message", "subject": "Holiday greeting: Christmas Day", "body": body,
        "template": "Dear {name}, Merry {holiday}!", "placeholders": {"name": name, "holiday": "Christmas"},
        "country": "US", "timezone": "UTC", "due_at": now, "local_time": now.isoformat(),
        "expires_at": now + timedelta(days=1),
    }  # fmt: skip
    with stack.runtime("crm").db.writing() as session:
        publish(session, "care.task_due", shop_id=shop_id, payload=payload)


def test_a_students_care_message_reaches_the_simulated_buyer(shop_world):
    stack = shop_world
    gw = stack.client("gateway")
    teacher = stack.sign_in()
    login = _call(gw, "POST", "/api/v1/auth/login", {}, json={"username": "student2", "password": "student-demo"})
    student = {"Authorization": f"Bearer {login['token']}"}
    shop = _call(gw, "GET", "/api/v1/shops", student)[0]["id"]  # student2's AliExpress shop
    staff = f"/api/v1/shops/{shop}"
    key = _call(gw, "POST", f"{staff}/buyer-keys", teacher, json={"label": "care test"})["key"]
    shown = _call(gw, "GET", staff, teacher)["clock"]
    clock = ShopClock(
        datetime.fromisoformat(shown["wall_anchor"]), datetime.fromisoformat(shown["sim_anchor"]), shown["speed"]
    )
    online = lambda: gw.post(f"{staff}/agents/me/status", headers=student, json={"status": "online"}).status_code == 200  # noqa: E731
    eventually(online, timeout=20, message="the shop and its agents reached the tickets service")

    # the care week's buyers, with no arrivals of their own (only the care item happens) and keen to answer
    scenario = load_scenario(SCENARIO)
    scenario = replace(
        scenario, start=None, order_rate=((0, 0.0),), behaviour={**scenario.behaviour, "answer_care": 0.98}
    )
    port = HttpShopPort(BuyerApi(GatewayHttp(), shop, key), clock.now)
    sim = ShopSimulation(
        shop_id=shop, scenario=scenario, profile=load_profile("aliexpress"), port=port, start=clock.now(), seed=7
    )
    world = sim.world
    buyer = max(sorted(world.personas), key=lambda key: world.personas[key].propensity("answer_care"))
    persona = world.personas[buyer]
    port.register_buyer(persona.card())  # as the buyer's first journey would
    world.registered.add(buyer)
    sim.tick(clock.now(), speed=1.0)  # the port's first look at the feed: nothing yet

    # crm's care tasks: one for the simulated buyer, one for a customer the simulator does not know
    _care_task(stack, shop, buyer, persona.name, clock.now())
    _care_task(stack, shop, "c-other", "Olivia Brown", clock.now())
    care_items = lambda: _call(gw, "GET", f"{staff}/tickets?kind=care", student)["items"]  # noqa: E731
    eventually(lambda: len(care_items()) == 2, timeout=20, message="both care items in the queue")
    items = {t["customer_id"]: t for t in care_items()}
    mine, theirs = items[buyer]["id"], items["c-other"]["id"]

    # fence: the buyer lists and reads only their own care item
    listed = port.api.call("GET", "/tickets", buyer, params={"kind": "care"})
    assert [t["id"] for t in listed["items"]] == [mine]
    with pytest.raises(Refused) as refused:
        port.api.call("GET", f"/tickets/{theirs}", buyer)
    assert refused.value.status == 404

    # the student writes the care message on the simulated buyer's item, and on the other customer's
    text = f"Dear {persona.given_name}, Merry Christmas from our shop! Thank you for shopping with us. Best regards"
    _call(gw, "POST", f"{staff}/tickets/{mine}/messages", student, json={"body": text})
    _call(gw, "POST", f"{staff}/tickets/{theirs}/messages", student, json={"body": "Dear Olivia, Merry Christmas!"})

    def read() -> list:
        sim.tick(clock.now(), speed=1.0)
        return [r for r in world.log if r.action == "care_read"]

    [care_read] = eventually(read, timeout=20, message="the simulated buyer reads the care message")
    assert care_read.buyer == buyer and dict(care_read.detail)["score"] > 0.5
    [kept] = [r for r in world.replies if r.purpose == "care"]
    assert (kept.conversation_id, kept.text, kept.agent_id) == (mine, text, login["user"]["id"])
    assert {item.item for item in kept.assessment.items} >= {"greeting", "addressing", "language", "closing"}
    assert theirs not in port.view.conversations  # not one of the simulator's buyers: not watched

    # the buyer answers in the care conversation, in their own time (a wait of people's time, run ahead here)
    sim.tick(clock.now() + timedelta(hours=1), speed=1.0)
    answered = [r for r in world.log if r.buyer == buyer and r.action == "write"]
    assert answered, [r.as_tuple() for r in world.log]
    conversation = _call(gw, "GET", f"{staff}/tickets/{mine}", student)
    assert [m["author"] for m in conversation["messages"] if m["author"] in ("agent", "buyer")] == ["agent", "buyer"]
    assert not [t for t in _call(gw, "GET", f"{staff}/tickets?kind=pre_sale", student)["items"]]  # not a new one
