"""The reviews API on both databases: a delivered order reviewed line by line, the bad review followed up (reply,
contacts, the buyer's revision), removal requests, reading back; and every kind of bad input refused with a 4xx
naming the field, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.reviews.conftest import (
    START,
    counts,
    deliver,
    deliver_order,
    open_shop,
    outbox,
    placed,
    post_review,
    review_body,
    set_clock,
)


def test_a_bad_review_followed_up_replied_and_revised(stack):
    client = stack.client("reviews")
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1", skus=("TB1001-BLACK-M", "TB1002-WHITE-L"))
    set_clock(stack, shop_id, START + timedelta(days=2))
    reviewable = client.get(f"/shops/{shop_id}/orders/o1/reviewable").get_json()
    assert reviewable["reviewable"] is True and reviewable["review_by"] == "2026-11-25T02:00:00+00:00"

    good = post_review(stack, shop_id, "o1", stars=5, text="质量很好，物流很快，好评")
    assert good.status_code == 201, good.get_json()
    bad = post_review(stack, shop_id, "o1", sku="TB1002-WHITE-L", stars=1, text="衣服有破洞，客服也不理人，差评",
                      photos=["https://img.example.com/hole.jpg"])  # fmt: skip
    assert bad.status_code == 201, bad.get_json()
    review = bad.get_json()
    assert (review["rating"], review["needs_follow_up"], review["photos"]) == (
        "negative", True, ["https://img.example.com/hole.jpg"],
    )  # fmt: skip
    assert review["sentiment"]["language"] == "zh" and review["sentiment"]["label"] == "negative"
    [posted] = [e["payload"] for e in outbox(stack, "review.posted") if e["payload"]["review_id"] == review["id"]]
    assert posted["needs_follow_up"] is True and posted["buyer_name"] == "王小明" and posted["stars"] == 1

    queue = client.get(f"/shops/{shop_id}/reviews", query_string={"needs_follow_up": "true"}).get_json()
    assert [r["id"] for r in queue] == [review["id"]]

    rid = review["id"]
    reply = client.post(f"/shops/{shop_id}/reviews/{rid}/reply",
                        json={"agent_id": "agent-li", "text": "亲，非常抱歉，已为您安排换货"})  # fmt: skip
    assert reply.status_code == 201 and reply.get_json()["agent_id"] == "agent-li"
    contact = client.post(f"/shops/{shop_id}/reviews/{rid}/contacts",
                          json={"agent_id": "agent-li", "channel": "phone", "outcome": "will_revise",
                                "note": "买家同意换货后修改评价"})  # fmt: skip
    assert contact.status_code == 201 and contact.get_json()["contacted_at"] == "2026-11-12T02:00:00+00:00"

    set_clock(stack, shop_id, START + timedelta(days=5))
    body = review_body(4, "换货很快，非常满意，给好评")
    revised = client.post(f"/shops/{shop_id}/reviews/{rid}/revision", json=body)
    assert revised.status_code == 422 and "sku" in revised.get_json()["fields"]  # the line is the review's already
    del body["sku"]
    revised = client.post(f"/shops/{shop_id}/reviews/{rid}/revision", json=body)
    assert revised.status_code == 200, revised.get_json()
    assert (revised.get_json()["rating"], revised.get_json()["first_rating"]) == ("positive", "negative")
    [event] = outbox(stack, "review.revised")
    assert (event["payload"]["previous_stars"], event["payload"]["recovered"]) == (1, True)

    full = client.get(f"/shops/{shop_id}/reviews/{rid}").get_json()
    assert [v["kind"] for v in full["versions"]] == ["review", "revision"]
    assert [v["sentiment"]["label"] for v in full["versions"]] == ["negative", "positive"]
    assert full["reply"]["text"] == "亲，非常抱歉，已为您安排换货" and len(full["contacts"]) == 1
    assert full["needs_follow_up"] is False
    mine = client.get(f"/shops/{shop_id}/reviews", query_string={"customer_id": "c-wang"}).get_json()
    assert {r["id"] for r in mine} == {rid, good.get_json()["id"]}


def test_removal_request_granted_under_the_platforms_rule(stack):
    client = stack.client("reviews")
    shop_id = open_shop(stack, platform="amazon")
    deliver_order(stack, shop_id, "o1", skus=("AM3019-BLACK",), customer_id="c-liam")
    review = post_review(stack, shop_id, "o1", sku="AM3019-BLACK", customer_id="c-liam", stars=1,
                         text="Battery died and the color faded.").get_json()  # fmt: skip
    refused = client.post(f"/shops/{shop_id}/reviews/{review['id']}/removal-requests",
                          json={"agent_id": "agent-li", "rule": "obscenity"})  # fmt: skip
    assert refused.status_code == 201 and refused.get_json()["decision"] == "refused"
    granted = client.post(f"/shops/{shop_id}/reviews/{review['id']}/removal-requests",
                          json={"agent_id": "agent-li", "rule": "product_review", "note": "product only"})  # fmt: skip
    assert granted.get_json()["decision"] == "granted" and granted.get_json()["matched"] == ["color", "Battery"]
    assert client.get(f"/shops/{shop_id}/reviews").get_json() == []  # removed reviews leave the list
    removed = client.get(f"/shops/{shop_id}/reviews", query_string={"status": "removed"}).get_json()
    assert removed[0]["removed_rule"] == "product_review"
    assert [e["payload"]["rule"] for e in outbox(stack, "review.removed")] == ["product_review"]


def _refused(stack, response, status: int, field: str, before: dict[str, int]) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    body = response.get_json()
    assert field in body["fields"], body
    assert counts(stack) == before, "a refused request wrote something"
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stars": 6}, "stars"),
        ({"stars": 0}, "stars"),
        ({"stars": 1.5}, "stars"),
        ({"stars": "5"}, "stars"),
        ({"stars": True}, "stars"),
        ({"stars": 10**30}, "stars"),
        ({"scores": {"as_described": 5, "service": 10**30, "logistics": 5}}, "scores"),
        ({"scores": {"as_described": 5, "service": 5}}, "scores"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "好" * 501}, "text"),
        ({"text": "x" * 30000}, "text"),
        ({"text": "nul\u0000inside"}, "text"),
        ({"text": None}, "text"),
        ({"photos": ["not a url"]}, "photos"),
        ({"photos": ["https://img.example.com/p.jpg"] * 10}, "photos"),
        ({"sku": "NOT-A-LINE"}, "sku"),
        ({"customer_id": ""}, "customer_id"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_review_input_is_a_422_naming_the_field_and_writes_nothing(stack, change, field):
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1")
    before = counts(stack)
    response = stack.client("reviews").post(f"/shops/{shop_id}/orders/o1/reviews", json={**review_body(), **change})
    _refused(stack, response, 422, field, before)


def test_refused_states_name_the_field_and_write_nothing(stack):
    client = stack.client("reviews")
    shop_id = open_shop(stack)
    deliver(stack, "order.placed", shop_id, placed("undelivered"))
    before = counts(stack)
    body = _refused(stack, post_review(stack, shop_id, "undelivered"), 409, "order_id", before)
    assert body["reason"] == "not_delivered"
    _refused(stack, post_review(stack, shop_id, "never-heard-of"), 404, "order_id", before)
    _refused(stack, post_review(stack, shop_id, "undelivered", customer_id="c-other"), 403, "customer_id", before)

    deliver_order(stack, shop_id, "o1")
    first = post_review(stack, shop_id, "o1", stars=2, text="不好")
    assert first.status_code == 201
    rid = first.get_json()["id"]
    before = counts(stack)
    _refused(stack, post_review(stack, shop_id, "o1"), 409, "sku", before)  # a second review of the line

    deliver_order(stack, shop_id, "o2")
    set_clock(stack, shop_id, START + timedelta(days=15))  # taobao: reviews within 15 days of the delivery
    before = counts(stack)
    body = _refused(stack, post_review(stack, shop_id, "o2"), 409, "order_id", before)
    assert body["reason"] == "window_closed" and body["review_by"] == "2026-11-25T02:00:00+00:00"
    forbidden = client.post(
        f"/shops/{shop_id}/reviews/{rid}/reply", json={"agent_id": "agent-li", "text": "加微信返现"}
    )
    body = _refused(stack, forbidden, 422, "text", before)
    assert body["violations"][0]["rule"] == "off_platform"
    set_clock(stack, shop_id, START + timedelta(days=30))  # taobao: replies within 30 days of the review
    late = client.post(f"/shops/{shop_id}/reviews/{rid}/reply", json={"agent_id": "agent-li", "text": "抱歉"})
    _refused(stack, late, 409, "review_id", before)
    other_shop = open_shop(stack)
    before = counts(stack)
    _refused(stack, client.get(f"/shops/{other_shop}/reviews/{rid}"), 404, "review_id", before)
    _refused(stack, client.get("/shops/nope/reviews"), 404, "shop_id", before)
    backwards = {"from": "2026-11-12T00:00:00Z", "to": "2026-11-01T00:00:00Z"}
    query = client.get(f"/shops/{shop_id}/metrics", query_string=backwards)
    _refused(stack, query, 422, "to", before)


def test_non_ascii_text_and_photos_round_trip(stack):
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1")
    text = "  Très bien 👍 质量很好！\n第二行 «ok»  "
    created = post_review(stack, shop_id, "o1", text=text, photos=["https://img.example.com/照片.jpg"])
    assert created.status_code == 201, created.get_json()
    review = stack.client("reviews").get(f"/shops/{shop_id}/reviews/{created.get_json()['id']}").get_json()
    assert review["text"] == text.strip() and review["photos"] == ["https://img.example.com/照片.jpg"]
