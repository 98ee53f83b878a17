"""What students and instructors do through the API: tags with who and when, the blacklist and its flagged
orders, lists filtered by tag and segment, exports in CSV and Excel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from tests.integration.crm.conftest import buy, deliver, open_shop, placed, published


def test_manual_tags_with_who_and_when_and_their_history(stack):
    shop = open_shop(stack)
    buy(stack, shop, "o1", "c1")
    client = stack.client("crm")
    path = f"/shops/{shop}/customers/c1/tags"
    added = client.post(path, json={"tag": " 爱砍价 ", "agent_id": "stu1", "note": "asks for discounts"})
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert (body["tag"], body["source"], body["added_by"], body["note"]) == ("爱砍价", "manual", "stu1",
                                                                             "asks for discounts")  # fmt: skip
    assert body["added_at"] and body["added_wall_at"]
    again = client.post(path, json={"tag": "爱砍价", "agent_id": "stu2"})
    assert again.status_code == 409 and "tag" in again.get_json()["fields"]
    rule = client.post(path, json={"tag": "vip", "agent_id": "stu2"})
    assert rule.status_code == 422 and rule.get_json()["fields"]["tag"] == ["reserved for an automatic rule"]
    assert client.post(f"{path}/remove", json={"tag": "new", "agent_id": "stu1"}).status_code == 409
    assert client.post(f"{path}/remove", json={"tag": "nope", "agent_id": "stu1"}).status_code == 404
    removed = client.post(f"{path}/remove", json={"tag": "爱砍价", "agent_id": "stu2"})
    assert removed.status_code == 200 and removed.get_json()["removed_by"] == "stu2"
    tags = client.get(path).get_json()
    assert [t["tag"] for t in tags["current"]] == ["new"]
    assert [(t["tag"], t["removed_by"]) for t in tags["history"]] == [("爱砍价", "stu2"), ("new", None)]
    events = [(e["type"], e["tag"], e["by"]) for e in published(stack) if e["type"].startswith("customer.") and
              e.get("source") == "manual"]  # fmt: skip
    assert events == [("customer.tagged", "爱砍价", "stu1"), ("customer.untagged", "爱砍价", "stu2")]
    listed = client.get(f"/shops/{shop}/customers", query_string={"tag": "new"}).get_json()
    assert [c["customer_id"] for c in listed["items"]] == ["c1"]
    assert client.get(f"/shops/{shop}/tags").get_json()["in_use"] == {"new": 1}


def test_blacklist_flags_new_orders_and_can_be_lifted(stack):
    shop = open_shop(stack)
    buy(stack, shop, "o1", "bad")
    client = stack.client("crm")
    path = f"/shops/{shop}/customers/bad/blacklist"
    assert client.post(path, json={"reason": "   ", "agent_id": "stu1"}).status_code == 422
    listed = client.post(path, json={"reason": "恶意差评威胁 / review extortion", "agent_id": "stu1"})
    assert listed.status_code == 201 and listed.get_json()["added_by"] == "stu1"
    assert client.post(path, json={"reason": "again", "agent_id": "stu2"}).status_code == 409
    deliver(stack, "order.placed", shop, placed("o2", "bad", "59.00"))
    flagged = published(stack, "customer.flagged_order")
    assert [(e["order_id"], e["reason"], e["blacklisted_by"], e["total"]) for e in flagged] == [
        ("o2", "恶意差评威胁 / review extortion", "stu1", 5900)
    ]  # fmt: skip  (minor units once parsed)
    profile = client.get(f"/shops/{shop}/customers/bad").get_json()
    assert profile["blacklisted"] and profile["blacklist"]["reason"].startswith("恶意")
    lifted = client.post(f"{path}/lift", json={"agent_id": "stu2", "note": "apologised"})
    assert lifted.status_code == 200 and lifted.get_json()["lifted_by"] == "stu2"
    assert client.post(f"{path}/lift", json={"agent_id": "stu2"}).status_code == 409
    deliver(stack, "order.placed", shop, placed("o3", "bad", "10.00"))
    assert len(published(stack, "customer.flagged_order")) == 1
    assert [e["by"] for e in published(stack) if e["type"].startswith("customer.blacklist")] == ["stu1", "stu2"]
    entries = client.get(f"/shops/{shop}/blacklist").get_json()
    assert [(e["customer_id"], e["lifted_by"]) for e in entries] == [("bad", "stu2")]


def test_segment_lists_export_as_csv_and_excel(stack):
    shop = open_shop(stack)
    for n, customer in enumerate(["c1", "c2", "c3", "张三"]):
        for k in range(n + 1):
            buy(stack, shop, f"o{n}-{k}", customer, f"{10 * (n + 1)}.00")
    client = stack.client("crm")
    summary = client.post(f"/shops/{shop}/rfm/recompute", json={"agent_id": "t"}).get_json()
    segment = max(summary["segments"], key=summary["segments"].get)
    members = client.get(f"/shops/{shop}/customers", query_string={"segment": segment}).get_json()["items"]
    response = client.get(f"/shops/{shop}/exports/customers", query_string={"segment": segment})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"customers-{shop}-{segment}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "customer_id 客户" and sorted(r[0] for r in rows[1:]) == sorted(
        m["customer_id"] for m in members)  # fmt: skip
    workbook = client.get(f"/shops/{shop}/exports/customers", query_string={"format": "xlsx"})
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(workbook.get_data())).active
    table = list(sheet.iter_rows(values_only=True))
    assert len(table) == 5 and {row[0] for row in table[1:]} == {"c1", "c2", "c3", "张三"}
    spent = {row[0]: row[10] for row in table[1:]}
    assert spent["张三"] == 160.0  # four purchases of 40.00
    segments = client.get(f"/shops/{shop}/segments").get_json()
    assert sum(s["customers"] for s in segments) == 4 and len(segments) == 10


def test_metrics_and_rules(stack):
    shop = open_shop(stack)
    buy(stack, shop, "o1", "c1")
    buy(stack, shop, "o2", "c1")
    buy(stack, shop, "o3", "c2")
    client = stack.client("crm")
    start, end = "2000-01-01T00:00:00+00:00", datetime(2099, 12, 31, tzinfo=UTC).isoformat()
    metrics = client.get(f"/shops/{shop}/metrics", query_string={"from": start, "to": end}).get_json()
    assert metrics["customers"] == {"known": 2, "with_purchase": 2, "new": 2, "repeat": 1, "repeat_rate": 0.5}
    assert metrics["tags"] == {"new": 1, "repeat": 1} and metrics["grades"] == {"VIP1": 1}
    rules = client.get(f"/shops/{shop}/crm-rules").get_json()
    assert rules["currency"] == "CNY" and rules["grades"]["levels"][0]["min_spent"] == "300.00"
    assert set(rules["care"]["templates"]) == {"holiday_greeting", "follow_up", "win_back"}
