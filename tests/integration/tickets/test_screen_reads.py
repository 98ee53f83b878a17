"""The reads a page makes on every refresh, each in one call: the queue's tab with each row's last message and
waiting time and the tabs' counts (``/queue``), a conversation's messages after the ones a page shows
(``?after=``), and a period's daily trend (``/metrics/daily``) — each answering what the longer way answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.tickets.conftest import age_conversation, open_shop, seat


def _open(client, shop_id: str, customer: str, body: str) -> dict:
    opened = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": customer, "body": body})
    assert opened.status_code == 201, opened.get_json()
    return opened.get_json()


def test_the_queue_in_one_call_says_what_each_ticket_says(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    first = _open(client, shop_id, "c1", "这件有 XL 吗？")  # routed to a1, the only agent online
    second = _open(client, shop_id, "c2", "什么时候发货？")
    holder = f"/shops/{shop_id}/tickets/{second['id']}/transfer"
    seat(stack, shop_id, "a2")
    assert client.post(holder, json={"agent_id": "a1", "to_agent_id": "a2"}).status_code == 200
    url = f"/shops/{shop_id}/tickets/{first['id']}"
    assert (
        client.post(f"{url}/messages", json={"author": "agent", "agent_id": "a1", "body": "有的亲"}).status_code == 201
    )
    assert client.post(f"{url}/notes", json={"agent_id": "a1", "body": "VIP"}).status_code == 201

    answer = client.get(f"/shops/{shop_id}/queue", query_string={"agent": "a1", "tab": "all", "limit": 500})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["counts"] == {"all": 2, "unassigned": 0, "mine": 1}
    rows = {row["id"]: row for row in body["items"]}
    for ticket_id in (first["id"], second["id"]):
        detail = client.get(f"/shops/{shop_id}/tickets/{ticket_id}").get_json()
        spoken = [m for m in detail["messages"] if m["kind"] in ("message", "auto_reply")]
        assert rows[ticket_id]["last_message"] == spoken[-1]  # the note is not what the row quotes
        waiting = detail["rounds"][-1]["started_at"] if detail["awaiting_reply"] else None
        assert rows[ticket_id]["waiting_since"] == waiting
        assert {k: v for k, v in rows[ticket_id].items() if k not in ("last_message", "waiting_since")} == {
            k: v for k, v in detail.items() if k not in ("messages", "rounds", "order")
        }
    assert rows[second["id"]]["waiting_since"] is not None and rows[first["id"]]["waiting_since"] is None

    def ids(**query) -> list[str]:
        return [row["id"] for row in client.get(f"/shops/{shop_id}/queue", query_string=query).get_json()["items"]]

    assert ids(agent="a1", tab="mine") == [first["id"]]
    assert ids(agent="a2", tab="mine") == [second["id"]]
    assert ids(agent="a1", tab="unassigned") == []
    assert ids(agent="a1", tab="mine_or_unassigned") == [first["id"]]
    assert ids(tab="mine") == []  # no agent: nothing is anyone's
    assert ids(status="resolved") == []
    assert client.get(f"/shops/{shop_id}/queue", query_string={"tab": "everything"}).status_code == 422


def test_a_conversation_after_the_messages_a_page_shows(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    ticket = _open(client, shop_id, "c1", "在吗")
    age_conversation(stack, ticket["id"])  # the buyer's question and the auto reply, a minute ago
    url = f"/shops/{shop_id}/tickets/{ticket['id']}"
    shown = client.post(f"{url}/messages", json={"author": "buyer", "body": "快递到哪了？"}).get_json()["message"]["id"]
    client.post(f"{url}/messages", json={"author": "buyer", "body": "还在吗"})
    newer = client.get(url, query_string={"after": shown}).get_json()
    # what came after the last message the page shows, and (a message saved a moment before it may have committed
    # after it: PostgreSQL ids) those of the 10 s before it again, itself included: the page keeps each once. The
    # minute-old ones are not sent again.
    assert [m["body"] for m in newer["messages"]] == ["快递到哪了？", "还在吗"]
    assert newer["status"] == client.get(url).get_json()["status"]
    assert client.get(url, query_string={"after": -1}).status_code == 422


def test_the_daily_trend_in_one_call_matches_each_day_asked_alone(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    ticket = _open(client, shop_id, "c1", "这件有 XL 吗？")
    url = f"/shops/{shop_id}/tickets/{ticket['id']}"
    client.post(f"{url}/messages", json={"author": "agent", "agent_id": "a1", "body": "有的亲"})
    client.post(f"{url}/status", json={"status": "resolved", "agent_id": "a1"})
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - timedelta(days=2), today + timedelta(days=1)
    for scope in ({"agent": "a1"}, {}):
        period = {"from": start.isoformat(), "to": end.isoformat(), **scope}
        days = client.get(f"/shops/{shop_id}/metrics/daily", query_string={**period, "timezone": "UTC"})
        assert days.status_code == 200, days.get_json()
        assert [day["from"] for day in days.get_json()] == [(start + timedelta(days=n)).isoformat() for n in range(3)]
        for day in days.get_json():
            alone = client.get(
                f"/shops/{shop_id}/metrics", query_string={**scope, "from": day["from"], "to": day["to"]}
            )
            alone = alone.get_json()
            assert day["first_response"] == {k: alone["first_response"][k] for k in ("count", "mean")}
            assert day["response"]["rate_within"] == alone["response"]["rate_within"]
            assert day["tickets"]["handled"] == alone["tickets"]["handled"]
        assert sum(day["tickets"]["handled"] for day in days.get_json()) == 1
    too_long = {"from": start.isoformat(), "to": (start + timedelta(days=90)).isoformat()}
    assert client.get(f"/shops/{shop_id}/metrics/daily", query_string=too_long).status_code == 422
    unknown = {"from": start.isoformat(), "to": end.isoformat(), "timezone": "Mars/Olympus"}
    assert client.get(f"/shops/{shop_id}/metrics/daily", query_string=unknown).status_code == 422
