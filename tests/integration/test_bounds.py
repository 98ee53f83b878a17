"""Every input bounded at the edge (issue 14): what was found accepted before, each now a 4xx JSON error naming the
field, with nothing written."""

from __future__ import annotations

from tests.integration.orders.shop_setup import ADDRESSES, BUYERS
from tests.integration.orders.shop_setup import open_shop as open_orders_shop
from tests.integration.tickets.conftest import counts
from tests.integration.tickets.conftest import open_shop as open_tickets_shop


def test_a_queue_setting_the_timers_cannot_compute_with_is_refused_and_nothing_written(stack):
    shop_id = open_tickets_shop(stack)
    tickets = stack.client("tickets")
    before = tickets.get(f"/shops/{shop_id}/queue-settings").get_json()
    rows = counts(stack)

    answer = tickets.put(f"/shops/{shop_id}/queue-settings", json={"resolution_seconds": 1_000_000_000_000_000})

    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "invalid_input"
    assert "resolution_seconds" in body["fields"]
    assert tickets.get(f"/shops/{shop_id}/queue-settings").get_json() == before
    assert counts(stack) == rows


def test_a_fractional_quantity_is_refused_not_truncated(stack):
    shop_id = open_orders_shop(stack)
    orders = stack.client("orders")
    order = {
        "buyer": BUYERS["taobao"],
        "address": ADDRESSES["taobao"],
        "lines": [{"sku": "TB1001-BLACK-M", "quantity": 1.5}],
    }

    answer = orders.post(f"/shops/{shop_id}/orders", json=order)

    assert answer.status_code == 422, answer.get_json()
    assert "quantity" in answer.get_json()["fields"]["lines"]["0"]
    assert orders.get(f"/shops/{shop_id}/orders").get_json() == []
    for refused in (True, "1.5", "1e3", 0, 1000):
        order["lines"][0]["quantity"] = refused
        assert orders.post(f"/shops/{shop_id}/orders", json=order).status_code == 422, refused


def test_periods_run_forwards_within_sane_years(stack):
    shop_id = open_tickets_shop(stack)
    tickets = stack.client("tickets")
    export = f"/shops/{shop_id}/tickets/export.csv"

    backwards = tickets.get(export, query_string={"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"})
    far = tickets.get(export, query_string={"from": "2026-11-01T00:00:00Z", "to": "9999-12-31T23:59:59Z"})
    fine = tickets.get(export, query_string={"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"})

    assert backwards.status_code == 422 and "to" in backwards.get_json()["fields"]
    assert far.status_code == 422 and "to" in far.get_json()["fields"]
    assert fine.status_code == 200


def test_the_last_day_of_year_9999_is_refused_not_a_server_error(stack):
    headers = stack.sign_in()
    gateway = stack.client("gateway")
    shop = gateway.get("/api/v1/shops", headers=headers).get_json()[0]

    answer = gateway.get(
        f"/api/v1/shops/{shop['id']}/my-metrics",
        query_string={"from": "9999-12-25", "to": "9999-12-31"},
        headers=headers,
    )

    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["fields"]


def test_extreme_offsets_and_limits_are_refused(stack):
    shop_id = open_tickets_shop(stack)
    tickets = stack.client("tickets")
    for query, field in (({"offset": 10**19}, "offset"), ({"limit": -1}, "limit"), ({"limit": "2.5"}, "limit")):
        answer = tickets.get(f"/shops/{shop_id}/tickets", query_string=query)
        assert answer.status_code == 422, query
        assert field in answer.get_json()["fields"], answer.get_json()


def test_an_unknown_class_is_not_found_and_no_shop_opens(stack):
    headers = stack.sign_in()
    gateway = stack.client("gateway")
    shops_before = [shop["id"] for shop in gateway.get("/api/v1/shops", headers=headers).get_json()]

    answer = gateway.post(
        "/api/v1/shops", json={"name": "Ghost", "platform": "taobao", "class_id": "no-such-class"}, headers=headers
    )

    assert answer.status_code in (404, 422)
    assert "class_id" in answer.get_json()["fields"]
    assert [shop["id"] for shop in gateway.get("/api/v1/shops", headers=headers).get_json()] == shops_before


def test_an_empty_clock_change_is_refused(stack):
    headers = stack.sign_in()
    gateway = stack.client("gateway")
    shop = gateway.get("/api/v1/shops", headers=headers).get_json()[0]

    for body in ({"data": b""}, {"json": {}}):
        answer = gateway.post(f"/api/v1/shops/{shop['id']}/clock", headers=headers, **body)
        assert answer.status_code == 422, answer.get_json()
        assert answer.get_json()["fields"]
    clock = gateway.get(f"/api/v1/shops/{shop['id']}", headers=headers).get_json()["clock"]
    assert clock["version"] == shop["clock"]["version"]


def test_a_wrong_method_names_the_allowed_ones(stack):
    shop_id = open_tickets_shop(stack)
    service = stack.client("tickets").delete(f"/shops/{shop_id}/queue-settings")
    headers = stack.sign_in()
    shop = stack.client("gateway").get("/api/v1/shops", headers=headers).get_json()[0]
    forwarded = stack.client("gateway").delete(f"/api/v1/shops/{shop['id']}/queue-settings", headers=headers)

    for answer in (service, forwarded):
        assert answer.status_code == 405
        assert {"GET", "PUT"} <= {method.strip() for method in answer.headers["Allow"].split(",")}
        assert answer.get_json()["error"] == "method_not_allowed"
