"""The gateway's shop registry: who may open, see and run shops, and what bad input gets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gateway.models import Shop
from shoplab.eventbus.tables import OutboxMessage


def _count(stack, model) -> int:
    with stack.runtime("gateway").db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_instructor_opens_a_shop_and_the_event_is_in_the_same_transaction(sqlite_stack):
    teacher = sqlite_stack.sign_in()
    shops_before, events_before = _count(sqlite_stack, Shop), _count(sqlite_stack, OutboxMessage)
    response = sqlite_stack.client("gateway").post(
        "/api/v1/shops", json={"name": "淘宝练习店", "platform": "taobao"}, headers=teacher
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["currency"] == "CNY" and body["class_id"] == "demo-class"
    assert body["clock"]["speed"] == 1.0 and body["clock"]["paused"] is False
    assert _count(sqlite_stack, Shop) == shops_before + 1
    with sqlite_stack.runtime("gateway").db.reading() as session:
        types = session.scalars(select(OutboxMessage.type).where(OutboxMessage.shop_id == body["id"])).all()
    assert types == ["shop.opened"]
    assert _count(sqlite_stack, OutboxMessage) == events_before + 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "platform": "temu"}, "platform"),
        ({"platform": "taobao"}, "name"),
        ({"name": "", "platform": "taobao"}, "name"),
        ({"name": "x", "platform": "taobao", "speed": -1}, "speed"),
    ],
)
def test_bad_shop_input_is_refused_with_the_field_and_nothing_is_written(sqlite_stack, payload, field):
    teacher = sqlite_stack.sign_in()
    shops_before, events_before = _count(sqlite_stack, Shop), _count(sqlite_stack, OutboxMessage)
    response = sqlite_stack.client("gateway").post("/api/v1/shops", json=payload, headers=teacher)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert (_count(sqlite_stack, Shop), _count(sqlite_stack, OutboxMessage)) == (shops_before, events_before)


def test_malformed_json_is_a_json_400(sqlite_stack):
    teacher = sqlite_stack.sign_in()
    response = sqlite_stack.client("gateway").post(
        "/api/v1/shops", data="{not json", headers={**teacher, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]


def test_students_see_only_their_own_shop_and_cannot_run_shops(sqlite_stack):
    sqlite_stack.sign_in()  # seeds the demo class
    gateway = sqlite_stack.client("gateway")
    student1 = sqlite_stack.sign_in("student1", "student-demo")
    mine = gateway.get("/api/v1/shops", headers=student1).get_json()
    assert [shop["platform"] for shop in mine] == ["taobao"]

    teacher = sqlite_stack.sign_in()
    all_shops = gateway.get("/api/v1/shops", headers=teacher).get_json()
    assert len(all_shops) == 4
    other = next(shop for shop in all_shops if shop["id"] != mine[0]["id"])
    # issue 10: a shop outside one's reach is 404, as if it did not exist (it was 403, which confirmed it exists)
    assert gateway.get(f"/api/v1/shops/{other['id']}", headers=student1).status_code == 404
    assert gateway.get(f"/api/v1/shops/{mine[0]['id']}", headers=student1).status_code == 200

    refused = gateway.post("/api/v1/shops", json={"name": "mine", "platform": "ebay"}, headers=student1)
    assert refused.status_code == 403 and refused.get_json()["fields"] == {"role": ["instructor required"]}
    clock = gateway.post(f"/api/v1/shops/{mine[0]['id']}/clock", json={"paused": True}, headers=student1)
    assert clock.status_code == 403


def test_anonymous_and_forged_tokens_are_refused(sqlite_stack):
    gateway = sqlite_stack.client("gateway")
    assert gateway.get("/api/v1/shops").status_code == 401
    assert gateway.get("/api/v1/shops", headers={"Authorization": "Bearer forged"}).status_code == 401
    wrong = gateway.post("/api/v1/auth/login", json={"username": "teacher", "password": "nope-nope"})
    assert wrong.status_code == 401 and "password" in wrong.get_json()["fields"]


def test_clock_changes_reanchor_and_never_go_backwards(sqlite_stack):
    teacher = sqlite_stack.sign_in()
    gateway = sqlite_stack.client("gateway")
    shop = gateway.post("/api/v1/shops", json={"name": "c", "platform": "amazon"}, headers=teacher).get_json()
    paused = gateway.post(f"/api/v1/shops/{shop['id']}/clock", json={"paused": True}, headers=teacher).get_json()
    jumped = gateway.post(
        f"/api/v1/shops/{shop['id']}/clock", json={"advance_seconds": 86400, "speed": 60}, headers=teacher
    ).get_json()
    assert jumped["clock"]["version"] == 3
    assert jumped["clock"]["speed"] == 60 and jumped["clock"]["paused"] is True
    # paused, then a day forward: simulated now is exactly one day after the paused instant
    from datetime import datetime

    delta = datetime.fromisoformat(jumped["clock"]["now"]) - datetime.fromisoformat(paused["clock"]["now"])
    assert delta.total_seconds() == 86400
    backwards = gateway.post(f"/api/v1/shops/{shop['id']}/clock", json={"advance_seconds": -5}, headers=teacher)
    assert backwards.status_code == 422 and "advance_seconds" in backwards.get_json()["fields"]
    unknown = gateway.post("/api/v1/shops/nope/clock", json={"paused": False}, headers=teacher)
    assert unknown.status_code == 404
