"""The tickets API end to end, on SQLite and PostgreSQL: a conversation, the queue, phrases, disputes, metrics and
export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.integration.tickets.conftest import deliver, open_shop, paid, placed, seat


def _period() -> dict[str, str]:
    now = datetime.now(UTC)
    return {"from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}


def test_a_conversation_through_the_api(stack):
    shop_id = open_shop(stack, platform="amazon")
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    deliver(stack, "order.placed", shop_id, placed("o1", "c1", "25.00"))
    shipped = {"shipment_id": "sh1", "carrier": "UPS", "tracking_no": "1Z999", "shipped_at": datetime.now(UTC)}
    deliver(stack, "order.shipped", shop_id, {"order_id": "o1", "order_no": "NO-o1", "customer_id": "c1", **shipped})

    opened = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "order_id": "o1", "kind": "order",
                         "body": "Where is my parcel?", "language": "de", "channel": "email"})  # fmt: skip
    assert opened.status_code == 201, opened.get_json()
    ticket = opened.get_json()
    assert (ticket["status"], ticket["assignee_id"], ticket["group"]) == ("new", "a1", "after_sale")
    assert [m["kind"] for m in ticket["messages"]] == ["message", "auto_reply"]
    assert ticket["messages"][1]["body"].startswith("Vielen Dank")
    assert ticket["order"]["tracking_no"] == "1Z999" and ticket["buyer_name"] == "Ana García"
    url = f"/shops/{shop_id}/tickets/{ticket['id']}"

    queue = client.get(f"/shops/{shop_id}/tickets", query_string={"assignee": "a1", "status": ["new", "open"]})
    assert [t["id"] for t in queue.get_json()["items"]] == [ticket["id"]]
    assert client.get(f"/shops/{shop_id}/tickets", query_string={"kind": "refund"}).get_json()["total"] == 0

    phrase = client.post(f"/shops/{shop_id}/phrases", json={"title": "tracking", "language": "en",
                         "body": "Hi {buyer_name}, order {order_no} ships with {carrier}: {tracking_no}."})  # fmt: skip
    assert phrase.status_code == 201 and phrase.get_json()["placeholders"] == ["buyer_name", "order_no", "carrier",
                                                                             "tracking_no"]  # fmt: skip
    reply = client.post(f"{url}/messages", json={"author": "agent", "agent_id": "a1",
                        "phrase_id": phrase.get_json()["id"]})  # fmt: skip
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["message"]["body"] == "Hi Ana García, order NO-o1 ships with UPS: 1Z999."
    assert reply.get_json()["ticket"]["status"] == "open"
    assert client.get(f"/shops/{shop_id}/phrases").get_json()[0]["uses_by_agent"] == {"a1": 1}

    note = client.post(f"{url}/notes", json={"agent_id": "a1", "body": "customs delays this week"})
    assert note.status_code == 201 and note.get_json()["kind"] == "note"
    buyer_view = client.get(url, query_string={"audience": "buyer"}).get_json()
    assert "customs delays this week" not in [m["body"] for m in buyer_view["messages"]]
    assert "customs delays this week" in [m["body"] for m in client.get(url).get_json()["messages"]]

    pending = client.post(f"{url}/status", json={"status": "pending", "agent_id": "a1"})
    assert pending.get_json()["sla"]["paused_since"] is not None
    assert client.post(f"{url}/messages", json={"author": "buyer", "body": "Danke!"}).get_json()["ticket"][
        "status"] == "open"  # fmt: skip
    resolved = client.post(f"{url}/status", json={"status": "resolved", "agent_id": "a1"}).get_json()
    assert resolved["status"] == "resolved" and resolved["resolution_seconds"] >= 0
    rated = client.post(f"{url}/csat", json={"score": 4, "comment": "ok"})
    assert rated.status_code == 201 and rated.get_json()["csat"]["score"] == 4

    metrics = client.get(f"/shops/{shop_id}/metrics", query_string=_period()).get_json()
    first = client.get(url).get_json()["first_response_seconds"]
    assert metrics["first_response"]["count"] == 1 and metrics["first_response"]["mean"] == round(first, 3)
    assert metrics["response"]["rounds"] == 2 and metrics["response"]["within_seconds"] == 86400  # amazon's 24 h
    assert metrics["tickets"] == {"opened": 1, "handled": 1}
    assert metrics["csat"] == {"rated": 1, "mean": 4.0, "satisfaction": 1.0}
    assert client.get(f"/shops/{shop_id}/metrics", query_string={**_period(), "agent": "nobody"}).get_json()[
        "tickets"]["handled"] == 0  # fmt: skip
    seat(stack, shop_id, "a2", status="away")
    table = client.get(f"/shops/{shop_id}/metrics/agents", query_string=_period()).get_json()
    assert [(row["agent"], row["tickets"]["handled"], row["response"]["rounds"]) for row in table] == [
        ("a1", 1, 2),
        ("a2", 0, 0),
    ]

    export = client.get(f"/shops/{shop_id}/tickets/export.csv", query_string=_period())
    assert export.status_code == 200 and export.mimetype == "text/csv" and export.is_streamed
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert len(rows) == 1
    assert (rows[0]["ticket_id"], rows[0]["kind"], rows[0]["agent"], rows[0]["rounds"], rows[0]["csat"]) == (
        ticket["id"], "order", "a1", "2", "4")  # fmt: skip


def test_a_warned_reply_is_sent_with_its_warning(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    ticket = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "body": "能明天到吗"}).get_json()
    reply = client.post(f"/shops/{shop_id}/tickets/{ticket['id']}/messages",
                        json={"author": "agent", "agent_id": "a1", "body": "亲，保证明天到哦"})  # fmt: skip
    assert reply.status_code == 201
    assert [(w["rule"], w["matched"]) for w in reply.get_json()["warnings"]] == [("risky_promises", ["保证明天到"])]
    stored = client.get(f"/shops/{shop_id}/tickets/{ticket['id']}").get_json()["messages"][-1]
    assert stored["body"] == "亲，保证明天到哦" and stored["warnings"][0]["rule"] == "risky_promises"


def test_dispute_negotiation_through_the_api(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    deliver(stack, "order.placed", shop_id, placed("o1", "c1", "99.00"))
    deliver(stack, "order.paid", shop_id, paid("o1", "c1", "99.00"))
    opened = client.post(f"/shops/{shop_id}/disputes", json={"order_id": "o1", "reason": "damaged",
                         "amount_requested": "99.00", "evidence": ["破损照片"], "statement": "杯子碎了"})  # fmt: skip
    assert opened.status_code == 201, opened.get_json()
    dispute = opened.get_json()
    url = f"/shops/{shop_id}/disputes/{dispute['id']}"
    ticket = client.get(f"/shops/{shop_id}/tickets/{dispute['ticket_id']}").get_json()
    assert ticket["kind"] == "dispute" and ticket["messages"][0]["body"] == "杯子碎了"
    early = client.post(f"{url}/decision", json={"accept": True})
    assert early.status_code == 409 and "accept" in early.get_json()["fields"]
    proposal = client.post(f"{url}/proposal", json={"agent_id": "a1", "kind": "return_and_refund"})
    assert proposal.get_json()["status"] == "awaiting_buyer"
    assert proposal.get_json()["proposal"]["amount"] == "99.00"
    settled = client.post(f"{url}/decision", json={"accept": True}).get_json()
    assert settled["status"] == "settled"
    assert settled["ruling"] == {**settled["ruling"], "outcome": "buyer", "with_return": True,
                                 "reason": "buyer_accepted_proposal", "refund_amount": "99.00"}  # fmt: skip
    assert client.get(f"/shops/{shop_id}/tickets/{dispute['ticket_id']}").get_json()["status"] == "resolved"
    assert [d["id"] for d in client.get(f"/shops/{shop_id}/disputes?status=settled").get_json()] == [dispute["id"]]


def test_queue_settings_and_agents(stack):
    shop_id = open_shop(stack)
    seat(stack, shop_id, "a1")
    client = stack.client("tickets")
    settings = client.get(f"/shops/{shop_id}/queue-settings").get_json()
    assert settings["targets"]["first_response_seconds"] == 180 and settings["routing_mode"] == "round_robin"
    changed = client.put(f"/shops/{shop_id}/queue-settings", json={"first_response_seconds": 60,
                         "routing_mode": "least_loaded", "per_agent_cap": 3})  # fmt: skip
    assert changed.get_json()["targets"]["first_response_seconds"] == 60
    ticket = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": "c1", "body": "hi"}).get_json()
    opened_at = datetime.fromisoformat(ticket["opened_at"])
    due = datetime.fromisoformat(ticket["sla"]["first_response_due"])
    assert abs((due - opened_at).total_seconds() - 60) < 1  # shop clock runs with the wall clock here
    patched = client.patch(f"/shops/{shop_id}/agents/a1", json={"skills": ["after_sale"], "max_open": 5})
    assert patched.get_json()["skills"] == ["after_sale"] and patched.get_json()["cap"] == 5
    offline = client.post(f"/shops/{shop_id}/agents/a1/status", json={"status": "offline"}).get_json()
    assert offline["open_tickets"] == 0
    assert client.get(f"/shops/{shop_id}/tickets/{ticket['id']}").get_json()["assignee_id"] is None


def test_openapi_documents_the_paths(stack):
    paths = stack.client("tickets").get("/openapi.json").get_json()["paths"]
    for path in ("/shops/{shop_id}/tickets", "/shops/{shop_id}/tickets/{ticket_id}",
                 "/shops/{shop_id}/tickets/{ticket_id}/messages", "/shops/{shop_id}/tickets/{ticket_id}/notes",
                 "/shops/{shop_id}/tickets/{ticket_id}/claim", "/shops/{shop_id}/disputes",
                 "/shops/{shop_id}/metrics", "/shops/{shop_id}/tickets/export.csv",
                 "/shops/{shop_id}/agents/{agent_id}/status"):  # fmt: skip
        assert path in paths, path
