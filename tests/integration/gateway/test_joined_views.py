"""The views that join services: one call for a conversation and everything beside it, one for the queue; each
answers within 2 s when a service behind it is down or hangs, with that part marked unavailable."""

from __future__ import annotations

import socket
import time

import pytest

from shoplab.topology import SERVICES
from tests.integration.gateway.world import build_world


def test_the_queue_view_has_sla_due_times_and_order_states(served):
    world = build_world(served)
    base = f"/api/v1/shops/{world.shops['A']}"
    queue = world.call("GET", f"{base}/queue", world.headers["student1"])
    assert queue["unavailable"] == {} and queue["shop_now"]
    by_id = {item["id"]: item for item in queue["items"]}
    assert by_id[world.ids["ticket_c-a1"]]["order_state"] == "paid"
    assert by_id[world.ids["ticket_c-a2"]]["order_state"] == "unpaid"
    assert by_id[world.ids["ticket_c-a1"]]["sla"]["first_response_due"]
    dues = [item["sla"]["first_response_due"] for item in queue["items"] if item["sla"]["first_response_due"]]
    assert len(dues) >= 2 and dues == sorted(dues)  # most urgent first
    assert world.ids["ticket_c-b1"] not in by_id


@pytest.mark.parametrize("trouble", ["down", "hangs"])
def test_a_conversation_answers_within_2_s_when_the_orders_service_is_in_trouble(sqlite_served, trouble, monkeypatch):
    # SQLite only: this is about a service's socket, not about the databases behind it
    monkeypatch.delenv("SHOPLAB_VIEW_BUDGET_SECONDS")  # the budget users get, not the suite's patient one
    world = build_world(sqlite_served)
    sqlite_served.served.stop("orders")
    hung = None
    if trouble == "hangs":  # connections are taken by the kernel and never answered
        hung = socket.socket()
        hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hung.bind((SERVICES["orders"].host, SERVICES["orders"].port))
        hung.listen(64)
    try:
        started = time.monotonic()
        url = f"/api/v1/shops/{world.shops['A']}/conversations/{world.ids['ticket_c-a1']}"
        view = world.call("GET", url, world.headers["student1"])
        took = time.monotonic() - started
        queue = world.call("GET", f"/api/v1/shops/{world.shops['A']}/queue", world.headers["teacher"])
    finally:
        if hung:
            hung.close()
    assert took < 2.0, took
    assert view["ticket"]["id"] == world.ids["ticket_c-a1"] and view["ticket"]["messages"]
    assert view["disputes"] and view["disputes"][0]["id"] == world.ids["dispute_c-a1"]  # tickets still answers
    for part in ("order", "payments", "tracking", "refunds", "returns"):
        assert view[part] is None and view["unavailable"][part].startswith("orders")
    assert queue["items"] and queue["unavailable"]["orders"].startswith("orders")
    assert all(item["order_state"] is None for item in queue["items"])
    # a forwarded call to the dead service is a JSON 503 naming it
    down = world.gateway.get(f"/api/v1/shops/{world.shops['A']}/orders", headers=world.headers["student1"])
    if trouble == "down":
        assert down.status_code == 503 and down.get_json()["error"] == "service_unavailable"


def test_a_ticket_of_another_shop_is_not_found_in_the_joined_view(served):
    world = build_world(served)
    url = f"/api/v1/shops/{world.shops['A']}/conversations/{world.ids['ticket_c-b1']}"
    response = world.gateway.get(url, headers=world.headers["student1"])
    assert response.status_code == 404 and world.ids["order_c-b1"] not in response.get_data(as_text=True)
    url = f"/api/v1/shops/{world.shops['A']}/orders/{world.ids['order_c-b1']}"
    assert world.gateway.get(url, headers=world.headers["student1"]).status_code == 404
