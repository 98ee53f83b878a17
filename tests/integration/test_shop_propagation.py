"""A shop opened in the gateway is known to every service, with its clock, through real workers."""

from __future__ import annotations

import time

from tests.stack import eventually

SERVICES = ("orders", "tickets", "reviews", "crm")


def test_opened_shop_reaches_every_service_once(stack):
    for name in SERVICES:
        stack.worker(name)
    headers = stack.sign_in()
    started = time.monotonic()
    response = stack.client("gateway").post(
        "/api/v1/shops", json={"name": "Test shop 测试店", "platform": "aliexpress"}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    shop = response.get_json()
    assert shop["currency"] == "USD"

    for name in SERVICES:
        copy = eventually(lambda name=name: _copy(stack, name, shop["id"]), timeout=5)
        assert copy["name"] == "Test shop 测试店"
        assert copy["platform"] == "aliexpress"
        assert copy["clock"]["version"] == 1
    assert time.monotonic() - started < 5


def test_clock_change_reaches_every_service(stack):
    for name in SERVICES:
        stack.worker(name)
    headers = stack.sign_in()
    gateway = stack.client("gateway")
    shop = gateway.post("/api/v1/shops", json={"name": "Clocked", "platform": "taobao"}, headers=headers).get_json()
    changed = gateway.post(f"/api/v1/shops/{shop['id']}/clock", json={"speed": 60, "paused": True}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["clock"]["paused"] is True

    for name in SERVICES:
        copy = eventually(
            lambda name=name: (c := _copy(stack, name, shop["id"])) and c["clock"]["version"] == 2 and c, timeout=5
        )
        assert copy["clock"]["speed"] == 60
        assert copy["clock"]["paused"] is True
        # paused: the shop's "now" stands still at the anchor
        assert copy["clock"]["now"] == copy["clock"]["sim_anchor"]


def _copy(stack, service: str, shop_id: str):
    response = stack.client(service).get(f"/shops/{shop_id}")
    return response.get_json() if response.status_code == 200 else None
