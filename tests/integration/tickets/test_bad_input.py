"""Point 11: bad input gets a 4xx naming the field and the reason, and nothing is written."""

from __future__ import annotations

import pytest

from tests.integration.tickets.conftest import counts, deliver, open_shop, paid, placed, seat


@pytest.fixture
def shop(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    seat(stack, shop_id, "sleepy", status="offline")
    other = open_shop(stack)
    seat(stack, other, "stranger")
    client = stack.client("tickets")
    opened = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "body": "在吗"})
    assert opened.status_code == 201, opened.get_json()
    return stack, client, shop_id, opened.get_json()["id"]


def _refused(stack, response, status: int, field: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert field in body["fields"], body
    assert body["fields"][field] and all(isinstance(reason, str) and reason for reason in body["fields"][field])
    return body


def test_reply_to_a_closed_ticket(shop):
    stack, client, shop_id, ticket_id = shop
    closed = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/status", json={"status": "closed", "agent_id": "a1"})
    assert closed.status_code == 200
    before = counts(stack)
    response = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/messages",
                           json={"author": "agent", "agent_id": "a1", "body": "您好"})  # fmt: skip
    assert _refused(stack, response, 409, "ticket_id")["fields"]["ticket_id"] == [
        "ticket is closed; no reply can be sent"
    ]
    assert counts(stack) == before


@pytest.mark.parametrize(
    ("agent_id", "reason"),
    [("stranger", "not an agent of this shop"), ("sleepy", "agent is offline, not online")],
)
def test_assigning_to_an_agent_of_another_shop_or_offline(shop, agent_id, reason):
    stack, client, shop_id, ticket_id = shop
    before = counts(stack)
    response = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/assign", json={"agent_id": agent_id})
    assert _refused(stack, response, 422, "agent_id")["fields"]["agent_id"] == [reason]
    transfer = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/transfer",
                           json={"agent_id": "a1", "to_agent_id": agent_id})  # fmt: skip
    assert _refused(stack, transfer, 422, "to_agent_id")["fields"]["to_agent_id"] == [reason]
    assert counts(stack) == before
    assert client.get(f"/shops/{shop_id}/tickets/{ticket_id}").get_json()["assignee_id"] == "a1"


@pytest.mark.parametrize("body", ["", "   \n ", "好" * 2001])
def test_empty_or_oversized_message(shop, body):
    stack, client, shop_id, ticket_id = shop
    before = counts(stack)
    for payload in ({"author": "buyer", "body": body}, {"author": "agent", "agent_id": "a1", "body": body}):
        response = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/messages", json=payload)
        _refused(stack, response, 422, "body")
    opening = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c9", "body": body})
    _refused(stack, opening, 422, "body")
    note = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/notes", json={"agent_id": "a1", "body": body})
    _refused(stack, note, 422, "body")
    assert counts(stack) == before


def test_dispute_amount_above_the_order_total(shop):
    stack, client, shop_id, _ = shop
    deliver(stack, "order.placed", shop_id, placed("o1", total="59.90"))
    deliver(stack, "order.paid", shop_id, paid("o1", amount="59.90"))
    before = counts(stack)
    response = client.post(f"/shops/{shop_id}/disputes", json={"order_id": "o1", "reason": "damaged",
                           "amount_requested": "59.91", "evidence": ["photo of the crack"]})  # fmt: skip
    body = _refused(stack, response, 422, "amount_requested")
    assert body["fields"]["amount_requested"] == ["at most the order total 59.90 CNY"]
    unknown = client.post(f"/shops/{shop_id}/disputes",
                          json={"order_id": "nope", "reason": "damaged", "amount_requested": "1.00"})  # fmt: skip
    _refused(stack, unknown, 422, "order_id")
    assert counts(stack) == before


def test_template_with_an_unknown_placeholder(shop):
    stack, client, shop_id, ticket_id = shop
    before = counts(stack)
    response = client.post(f"/shops/{shop_id}/phrases",
                           json={"title": "优惠", "body": "亲 {buyer_name}，您的优惠码 {coupon} 已发放"})  # fmt: skip
    body = _refused(stack, response, 422, "body")
    assert "unknown placeholder {coupon}" in body["fields"]["body"][0]
    assert body["placeholders"] == ["coupon"]
    assert counts(stack) == before


def test_a_placeholder_the_ticket_cannot_fill_and_an_unknown_phrase(shop):
    stack, client, shop_id, ticket_id = shop
    created = client.post(f"/shops/{shop_id}/phrases", json={"title": "查件", "body": "您的单号是 {tracking_no}"})
    assert created.status_code == 201
    before = counts(stack)
    url = f"/shops/{shop_id}/tickets/{ticket_id}/messages"
    missing = client.post(url, json={"author": "agent", "agent_id": "a1", "phrase_id": created.get_json()["id"]})
    assert "no value for {tracking_no}" in _refused(stack, missing, 422, "phrase_id")["fields"]["phrase_id"][0]
    unknown = client.post(url, json={"author": "agent", "agent_id": "a1", "phrase_id": 999})
    _refused(stack, unknown, 422, "phrase_id")
    assert counts(stack) == before


def test_forbidden_reply_is_refused_with_rule_and_words(shop):
    stack, client, shop_id, ticket_id = shop
    before = counts(stack)
    response = client.post(f"/shops/{shop_id}/tickets/{ticket_id}/messages",
                           json={"author": "agent", "agent_id": "a1", "body": "我们的是最好的，加微信聊"})  # fmt: skip
    body = _refused(stack, response, 422, "body")
    assert body["fields"]["body"] == ["off_platform: 微信, 加微", "absolute_advertising: 最好"]
    assert [v["rule"] for v in body["violations"]] == ["off_platform", "absolute_advertising"]
    assert counts(stack) == before


def test_other_shapes_of_bad_input(shop):
    stack, client, shop_id, ticket_id = shop
    before = counts(stack)
    cases = [
        (client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "body": "hi", "kind": "gossip"}), 422,
         "kind"),
        (client.post(f"/shops/{shop_id}/tickets", json={"body": "hi"}), 422, "customer_id"),
        (client.post("/shops/unknown/tickets", json={"customer_id": "c1", "body": "hi"}), 404, "shop_id"),
        (client.post(f"/shops/{shop_id}/tickets/nope/messages", json={"author": "buyer", "body": "hi"}), 404,
         "ticket_id"),
        (client.post(f"/shops/{shop_id}/tickets/{ticket_id}/csat", json={"score": 6}), 422, "score"),
        (client.post(f"/shops/{shop_id}/tickets/{ticket_id}/csat", json={"score": 5}), 409, "ticket_id"),
        (client.post(f"/shops/{shop_id}/agents/a1/status", json={"status": "asleep"}), 422, "status"),
        (client.get(f"/shops/{shop_id}/metrics?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"), 422, "to"),
        (client.get(f"/shops/{shop_id}/metrics?to=2026-11-01T00:00:00Z"), 422, "from"),
        (client.put(f"/shops/{shop_id}/queue-settings", json={"routing_mode": "random"}), 422, "routing_mode"),
    ]  # fmt: skip
    for response, status, field in cases:
        _refused(stack, response, status, field)
    assert counts(stack) == before
