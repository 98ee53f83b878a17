"""An event that keeps failing, or that does not validate, is kept as a dead letter: listed, explained, replayable."""

from __future__ import annotations

import json

from sqlalchemy import text

from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.envelope import make_event
from shoplab.eventbus.subscriptions import SUBSCRIPTIONS
from shoplab.shops.clock import ShopClock
from tests.integration.bus.subscribers import deliveries_of, inbox_rows, queue_idle, start_probes, wait_handled
from tests.stack import eventually


def rename_table(stack, service: str, old: str, new: str) -> None:
    with stack.runtime(service).db.engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))


def dead_letters(stack, service: str, **query) -> list[dict]:
    response = stack.client(service).get("/dead-letters", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_failing_handler_is_dead_lettered_after_its_retries_and_replayed_after_the_fix(stack, teacher):
    stack.worker("crm")
    rename_table(stack, "crm", "shops", "shops_away")  # crm's schema is broken: its handler cannot write
    response = stack.client("gateway").post(
        "/api/v1/shops", json={"name": "Doomed 失败店", "platform": "ebay"}, headers=teacher
    )
    shop = response.get_json()

    # SHOPLAB_EVENT_MAX_RETRIES=2 in the tests: 3 attempts, 1 s and 2 s apart
    letters = eventually(
        lambda: [x for x in dead_letters(stack, "crm") if json.loads(x["message"])["payload"]["shop_id"] == shop["id"]],
        timeout=20,
        message="dead-lettered",
    )
    [letter] = letters
    assert letter["reason"] == "failed"
    assert letter["attempts"] == 3
    assert letter["type"] == "shop.opened"
    assert "shops" in letter["error"]  # the cause: no such table / relation "shops" does not exist
    assert inbox_rows(stack, "crm", letter["event_id"]) == 0
    # kept, so confirmed: its producer stops sending it (sending again would not make it work)
    sweep = stack.runtime("gateway").db.relay.sweep
    eventually(lambda: sweep() and deliveries_of(stack, letter["event_id"])["crm"][1], message="crm confirmed it")
    crm = stack.client("crm")
    # still broken: the replay fails, says so, and the letter stays
    again = crm.post(f"/dead-letters/{letter['id']}/replay")
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    [kept] = [x for x in dead_letters(stack, "crm") if x["id"] == letter["id"]]
    assert kept["attempts"] == 4 and kept["replayed_at"] is None

    rename_table(stack, "crm", "shops_away", "shops")  # the fix
    replayed = crm.post(f"/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200, replayed.get_json()
    assert replayed.get_json() == {"id": letter["id"], "outcome": "handled"}
    assert crm.get(f"/shops/{shop['id']}").get_json()["name"] == "Doomed 失败店"
    assert inbox_rows(stack, "crm", letter["event_id"]) == 1
    assert letter["id"] not in [x["id"] for x in dead_letters(stack, "crm")]
    [done] = [x for x in dead_letters(stack, "crm", include_replayed="true") if x["id"] == letter["id"]]
    assert done["replayed_at"] is not None
    # a second replay changes nothing
    assert crm.post(f"/dead-letters/{letter['id']}/replay").get_json()["outcome"] == "duplicate"
    assert inbox_rows(stack, "crm", letter["event_id"]) == 1


def valid_shop_opened(shop_id: str) -> dict:
    clock = ShopClock.started().to_dict()
    payload = {"shop_id": shop_id, "name": "Fine", "platform": "ebay", "currency": "USD", "clock": clock}
    return make_event("shop.opened", shop_id=shop_id, source="gateway", payload=payload).to_message()


def test_invalid_envelopes_and_payloads_are_refused_with_the_field_and_kept(stack):
    [worker] = start_probes(stack, ["crm"])
    no_name = valid_shop_opened("bad-payload")
    del no_name["payload"]["name"]
    no_name["payload"]["clock"]["speed"] = -1
    bad_envelope = {**valid_shop_opened("bad-envelope"), "id": "not-a-uuid", "type": "ShopOpened"}
    del bad_envelope["occurred_at"]
    unknown_type = {**valid_shop_opened("unknown"), "type": "shop.vanished"}
    assert "agent.status_changed" not in SUBSCRIPTIONS["crm"], "pick an event type crm does not handle"
    not_subscribed = make_event(
        "agent.status_changed",
        shop_id="s1",
        source="gateway",
        payload={"agent_id": "a1", "shop_id": "s1", "status": "away"},
    ).to_message()
    good = valid_shop_opened("good")
    send = QueueSender()
    for message in (no_name, bad_envelope, unknown_type, not_subscribed, "just a string", good):
        send("crm", message)

    wait_handled(stack, ["crm"], good["id"])  # the queue goes on after refusing
    eventually(lambda: queue_idle(stack, "crm"), message="crm drained")
    letters = dead_letters(stack, "crm")
    assert len(letters) == 5
    assert {letter["reason"] for letter in letters} == {"invalid"}
    by_message = {letter["message"]: letter for letter in letters}

    refused = by_message[json.dumps(no_name)]
    assert refused["event_id"] == no_name["id"] and refused["type"] == "shop.opened"
    assert "payload of shop.opened does not validate" in refused["error"]
    assert "'name'" in refused["error"] and "'speed'" in refused["error"]
    envelope = by_message[json.dumps(bad_envelope)]
    assert "envelope does not validate" in envelope["error"]
    assert all(f"'{field}'" in envelope["error"] for field in ("id", "type", "occurred_at"))
    assert "unknown event type 'shop.vanished'" in by_message[json.dumps(unknown_type)]["error"]
    assert "no handler for agent.status_changed" in by_message[json.dumps(not_subscribed)]["error"]
    assert "not a JSON object" in by_message[json.dumps("just a string")]["error"]
    assert inbox_rows(stack, "crm") == 1  # only the good one took effect
    assert "Traceback" not in worker.log()  # refused calmly, not crashed
