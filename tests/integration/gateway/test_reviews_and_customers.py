"""Reviews and customers through the gateway: a student works a 中差评 (reply checked against the platform's rules,
edited, contact attempts, a removal request) and a customer (tags, filters by tag and segment, blacklist, exports);
an instructor recomputes RFM and imports a purchase history; another shop's review or customer is a 404; the
conversation view shows the customer's CRM profile and reviews beside the chat, and says which part is missing when
a service is down; the live stream rings for review and customer events."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from gateway import live
from tests.integration.gateway.conftest import pump
from tests.integration.gateway.world import build_world


def test_a_student_works_a_negative_review(served):
    world = build_world(served)
    shop, student = world.shops["A"], world.headers["student1"]
    base = f"/api/v1/shops/{shop}"
    review_id = world.ids["review_c-a1"]

    listed = world.call("GET", f"{base}/reviews?needs_follow_up=true", student)
    assert [r["id"] for r in listed] == [review_id] and listed[0]["rating"] == "negative"
    assert world.call("GET", f"{base}/reviews?customer_id=c-a1", student)[0]["sentiment"]["label"]

    refused = world.gateway.post(f"{base}/reviews/{review_id}/reply", headers=student, json={"text": "加微信给您返现"})
    assert refused.status_code == 422 and "text" in refused.get_json()["fields"]  # the platform's rule, passed on
    spoofed = world.gateway.post(
        f"{base}/reviews/{review_id}/reply", headers=student, json={"text": "抱歉", "agent_id": "someone-else"}
    )
    assert spoofed.status_code == 422 and "agent_id" in spoofed.get_json()["fields"]
    teacher = world.gateway.post(f"{base}/reviews/{review_id}/reply", headers=world.headers["teacher"], json={})
    assert teacher.status_code == 403  # replies are the students' work (their metrics)

    reply = world.call(
        "POST", f"{base}/reviews/{review_id}/reply", student, json={"text": "非常抱歉，已为您补发新款。"}
    )
    assert reply["agent_id"] == world.users["student1"]
    edited = world.call(
        "PATCH", f"{base}/reviews/{review_id}/reply", student, json={"text": "非常抱歉，已补发，请查收。"}
    )
    assert (edited["edits"], edited["first_text"]) == (1, "非常抱歉，已为您补发新款。")
    contact = {"channel": "platform_message", "outcome": "reached", "note": "买家同意考虑修改评价"}
    assert world.call("POST", f"{base}/reviews/{review_id}/contacts", student, json=contact)["outcome"] == "reached"
    removal = world.call("POST", f"{base}/reviews/{review_id}/removal-requests", student,
                         json={"rule": "obscenity", "note": "没有辱骂"})  # fmt: skip
    assert removal["decision"] == "refused"  # the text breaks no rule: the platform keeps it
    full = world.call("GET", f"{base}/reviews/{review_id}", world.headers["teacher"])
    assert (len(full["contacts"]), len(full["removal_requests"]), full["reply"]["edits"]) == (1, 1, 1)
    # the buyer sees the reply and being contacted, not the shop asking the platform to remove their review
    as_buyer = world.call("GET", f"/api/v1/buyer/shops/{shop}/reviews/{review_id}", world.buyer("A", "c-a1"))
    assert as_buyer["reply"] and len(as_buyer["contacts"]) == 1 and "removal_requests" not in as_buyer
    period = "from=2020-01-01T00:00:00Z&to=2035-01-01T00:00:00Z"
    assert world.call("GET", f"{base}/metrics/reviews?{period}", student)

    # another shop's review is not found here; another shop's student does not reach this one
    other = world.ids["review_c-b1"]
    assert world.gateway.get(f"{base}/reviews/{other}", headers=student).status_code == 404
    assert world.gateway.post(f"{base}/reviews/{other}/reply", headers=student, json={"text": "x"}).status_code == 404
    outsider = world.gateway.get(f"{base}/reviews/{review_id}", headers=world.headers["student2"])
    assert outsider.status_code == 404
    assert other not in world.gateway.get(f"{base}/reviews", headers=student).get_data(as_text=True)

    # the reply rang the shop's live stream (the gateway's consumer, as its worker hands it the event)
    before = live.current_seq(served.redis, shop)
    pump(served, targets=("gateway",))
    rung, _ = live.since(served.redis, shop, before)
    assert any(e["type"] == "review.replied" and e["ids"].get("review_id") == review_id for e in rung)


def test_a_student_tags_filters_and_exports_customers(served):
    world = build_world(served)
    shop, student, teacher = world.shops["A"], world.headers["student1"], world.headers["teacher"]
    base = f"/api/v1/shops/{shop}"

    tagged = world.call("POST", f"{base}/customers/c-a1/tags", student, json={"tag": "尺码敏感", "note": "偏小"})
    assert (tagged["tag"], tagged["added_by"]) == ("尺码敏感", world.users["student1"])
    assert world.gateway.post(f"{base}/customers/c-a1/tags", headers=teacher, json={"tag": "x"}).status_code == 403
    by_tag = world.call("GET", f"{base}/customers?tag=尺码敏感", student)
    assert [c["customer_id"] for c in by_tag["items"]] == ["c-a1"]
    profile = world.call("GET", f"{base}/customers/c-a1", student)
    assert "尺码敏感" in {t["tag"] for t in profile["tags"]} and profile["reviews"] == 1
    assert world.call("GET", f"{base}/customers/c-a1/timeline", student)

    summary = world.call("POST", f"{base}/rfm/recompute", teacher, json={})
    assert summary["customers"] >= 1 and sum(summary["segments"].values()) >= 1
    segment = world.call("GET", f"{base}/customers/c-a1", student)["segment"]
    by_segment = world.call("GET", f"{base}/customers?segment={segment}", student)
    assert "c-a1" in [c["customer_id"] for c in by_segment["items"]]
    assert {s["code"] for s in world.call("GET", f"{base}/segments", student)} >= {segment}

    csv = world.gateway.get(f"{base}/exports/customers.csv?tag=尺码敏感", headers=student)
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    text = csv.get_data().decode("utf-8-sig")
    assert "c-a1" in text and "c-a2" not in text and "c-b1" not in text
    xlsx = world.gateway.get(f"{base}/exports/customers.xlsx", headers=student)
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    cells = {str(c.value) for row in load_workbook(io.BytesIO(xlsx.get_data())).active.iter_rows() for c in row}
    assert {"c-a1", "c-a2"} <= cells and "c-b1" not in cells

    removed = world.call("POST", f"{base}/customers/c-a1/tags/remove", student, json={"tag": "尺码敏感"})
    assert removed["removed_by"] == world.users["student1"]
    listed = world.call("POST", f"{base}/customers/c-a2/blacklist", student, json={"reason": "恶意差评威胁"})
    assert listed["added_by"] == world.users["student1"]
    assert [e["customer_id"] for e in world.call("GET", f"{base}/blacklist", teacher)] == ["c-a2"]
    world.call("POST", f"{base}/customers/c-a2/blacklist/lift", student, json={"note": "误会已解除"})
    assert world.call("GET", f"{base}/care-tasks", student) == []

    # another shop's customer is not found here, nor this shop for another shop's student
    assert world.gateway.get(f"{base}/customers/c-b1", headers=student).status_code == 404
    assert world.gateway.post(f"{base}/customers/c-b1/tags", headers=student, json={"tag": "x"}).status_code == 404
    assert world.gateway.get(f"{base}/customers", headers=world.headers["student2"]).status_code == 404


def test_an_instructor_imports_a_purchase_history(served):
    world = build_world(served)
    shop, teacher = world.shops["A"], world.headers["teacher"]
    url = f"/api/v1/shops/{shop}/imports"
    history = b"customer,date,amount,country\nhist-1,2026-01-05,199.00,CN\nhist-1,2026-03-02,88.50,CN\n"

    def upload(headers, **form):
        return world.gateway.post(
            url, headers=headers, data={**form, "file": (io.BytesIO(history), "history.csv")},
            content_type="multipart/form-data",
        )  # fmt: skip

    assert upload(world.headers["student1"]).status_code == 403
    assert upload(teacher, agent_id="someone-else").status_code == 422
    assert world.gateway.post(url, headers=teacher, json={}).get_json()["fields"] == {
        "file": ["a .csv or .xlsx file is required"]
    }
    imported = upload(teacher)
    assert imported.status_code == 201, imported.get_json()
    assert (imported.get_json()["rows"], imported.get_json()["customers"]) == (2, 1)
    assert [i["filename"] for i in world.call("GET", url, teacher)] == ["history.csv"]
    customer = world.call("GET", f"/api/v1/shops/{shop}/customers/hist-1", world.headers["student1"])
    assert (customer["imported_purchases"], customer["imported_amount"]) == (2, "287.50")


def test_the_conversation_shows_the_customer_and_says_what_is_missing(sqlite_served):
    world = build_world(sqlite_served)
    shop, student = world.shops["A"], world.headers["student1"]
    url = f"/api/v1/shops/{shop}/conversations/{world.ids['ticket_c-a1']}"
    world.call("POST", f"/api/v1/shops/{shop}/customers/c-a1/tags", student, json={"tag": "老客户"})

    view = world.call("GET", url, student)
    assert view["unavailable"] == {}
    assert view["customer"]["customer_id"] == "c-a1" and "老客户" in {t["tag"] for t in view["customer"]["tags"]}
    assert [r["id"] for r in view["reviews"]] == [world.ids["review_c-a1"]]

    sqlite_served.served.stop("crm")
    view = world.call("GET", url, student)
    assert view["customer"] is None and view["unavailable"]["customer"].startswith("crm:")
    assert [r["id"] for r in view["reviews"]] == [world.ids["review_c-a1"]] and view["ticket"]["id"]
    sqlite_served.served.stop("reviews")
    view = world.call("GET", url, student)
    assert view["reviews"] is None and set(view["unavailable"]) == {"customer", "reviews"}
    assert view["order"]["id"] == world.ids["order_c-a1"]
