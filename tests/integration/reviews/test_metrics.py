"""Review metrics computed by each database, checked against a hand computation.

The rules run with a given shop time and wall time (a ShopContext built for the moment), so every reply time is
known to the second; the figures are read through the API.

Scenario (taobao, period [START, START + 10 days), shop time; o6 is before the period):

| order | line | first | now | scores now | reply (agent, seconds) | other |
|---|---|---|---|---|---|---|
| o1 | A | 5 positive | 5 positive | 5 5 5 | agent-a, 600 | |
| o1 | B | 2 negative | 4 positive (revised day 4) | 4 4 4 | | agent-b contacted twice (day 2, day 3) |
| o2 | A | 3 neutral | 1 negative (revised day 5) | 1 2 1 | agent-b, 1800 | agent-a contacted once (day 2) |
| o3 | A | 1 negative | removed (obscenity, agent-a) | 1 1 1 | | |
| o4 | A | 4 positive, angry text | 4 positive | 4 4 5 | | dispute opened; agent-b's removal refused |
| o5 | - | placed, never delivered | | | | |
| o6 | A | 3 neutral, day -18 | 3 neutral | 3 3 3 | | placed day -20 |
"""

from __future__ import annotations

from datetime import timedelta

from services.reviews import follow_up_work, replies, reviewing
from services.reviews.reviewing import Written
from shoplab.shops.context import ShopContext
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import get_shop
from tests.integration.reviews.conftest import START, deliver, deliver_order, open_shop, placed, ref


def day(days: float):
    return START + timedelta(days=days)


def act(stack, shop_id, shop_day: float, wall_seconds: float, action, *args, **kwargs):
    """Run a rule at a given shop time and wall time (the wall clock starts at START too)."""
    with stack.runtime("reviews").db.writing() as session:
        shop = get_shop(session, shop_id)
        ctx = ShopContext(shop=shop, profile=load_profile("taobao"), shop_now=day(shop_day),
                          wall_now=START + timedelta(seconds=wall_seconds))  # fmt: skip
        result = action(session, ctx, *args, **kwargs)
        return getattr(result, "id", None)


def scored(stars: int, text: str, described: int, service: int, logistics: int) -> Written:
    scores = {"as_described": described, "service": service, "logistics": logistics}
    return Written(text=text, stars=stars, scores=scores)


def build(stack) -> str:
    shop_id = open_shop(stack)
    deliver_order(stack, shop_id, "o1", skus=("A", "B"), placed_at=day(0), delivered_at=day(0.5))
    for order_id, when in (("o2", 0.2), ("o3", 0.3), ("o4", 0.4)):
        deliver_order(stack, shop_id, order_id, skus=("A",), placed_at=day(when), delivered_at=day(0.5))
    deliver(stack, "order.placed", shop_id, placed("o5", ("A",), at=day(1)))
    deliver_order(stack, shop_id, "o6", skus=("A",), placed_at=day(-20), delivered_at=day(-19))
    opened = {**ref("o4"), "dispute_id": "d4", "reason": "not_as_described", "amount_requested": "10.00",
              "currency": "CNY", "opened_at": day(3), "respond_by": day(6)}  # fmt: skip
    deliver(stack, "dispute.opened", shop_id, opened, source="tickets")

    post = reviewing.post_review
    a1 = act(stack, shop_id, 1, 1000, post, "o1", "c-wang", "A", scored(5, "Great quality, love it", 5, 5, 5))
    b1 = act(stack, shop_id, 1, 1000, post, "o1", "c-wang", "B", scored(2, "Arrived late", 2, 3, 1))
    a2 = act(stack, shop_id, 1, 2000, post, "o2", "c-wang", "A", scored(3, "It is ok", 3, 3, 3))
    a3 = act(stack, shop_id, 1, 3000, post, "o3", "c-wang", "A", scored(1, "什么垃圾，傻逼卖家", 1, 1, 1))
    a4 = act(stack, shop_id, 1, 4000, post, "o4", "c-wang", "A",
             scored(4, "Terrible, broken and useless. Awful!", 4, 4, 5))  # fmt: skip
    act(stack, shop_id, -18, 0, post, "o6", "c-wang", "A", scored(3, "It is fine", 3, 3, 3))

    act(stack, shop_id, 1.1, 1600, replies.reply, a1, "agent-a", "Thank you!")
    act(stack, shop_id, 1.2, 3800, replies.reply, a2, "agent-b", "Sorry to hear that, we will help")
    contact = follow_up_work.record_contact
    act(stack, shop_id, 2, 9000, contact, b1, "agent-b", channel="chat", outcome="no_answer", note="")
    act(stack, shop_id, 3, 9500, contact, b1, "agent-b", channel="phone", outcome="will_revise", note="")
    act(stack, shop_id, 2, 9100, contact, a2, "agent-a", channel="chat", outcome="reached", note="")
    act(stack, shop_id, 4, 9900, reviewing.revise_review, b1, "c-wang", scored(4, "Seller fixed it fast", 4, 4, 4))
    act(stack, shop_id, 5, 9990, reviewing.revise_review, a2, "c-wang", scored(1, "Broke, worse now", 1, 2, 1))
    removal = follow_up_work.request_removal
    act(stack, shop_id, 2, 9200, removal, a3, "agent-a", rule="obscenity", note="")
    act(stack, shop_id, 2, 9300, removal, a4, "agent-b", rule="obscenity", note="")
    return shop_id


def test_metrics_match_a_hand_computation(stack):
    shop_id = build(stack)
    client = stack.client("reviews")
    period = {"from": day(0).isoformat(), "to": day(10).isoformat()}
    body = client.get(f"/shops/{shop_id}/metrics", query_string=period).get_json()
    shop = body["shop"]
    assert {key: shop[key] for key in shop if key != "dsr"} == {
        "reviews": 4,  # o1/A, o1/B, o2/A, o4/A (o3 removed, o6 before the period)
        "positive": 3,
        "neutral": 0,
        "negative": 1,
        "positive_rate": 0.75,
        "neutral_negative": 1,
        "first_neutral_negative": 2,  # o1/B, o2/A
        "recovered": 1,  # o1/B negative → positive; o2/A went down
        "recovery_rate": 0.5,
        "replied": 2,
        "reply_rate": 0.5,
        "average_reply_seconds": 1200.0,  # (600 + 1800) / 2
        "mismatched": 1,  # o4: 4 stars, an angry text
        "removed": 1,
        "orders": 5,  # o1-o5 placed in the period
        "orders_with_negative_review": 1,  # o2 (o3's was removed, o1/B was revised up)
        "orders_disputed": 1,  # o4
        "defective_orders": 2,
        "order_defect_rate": 0.4,
    }
    # DSR over 180 days ending at `to`: o6 counts too; (5+4+1+4+3)/5, (5+4+2+4+3)/5, (5+4+1+5+3)/5
    assert {k: shop["dsr"][k] for k in ("days", "reviews", "as_described", "service", "logistics")} == {
        "days": 180, "reviews": 5, "as_described": 3.4, "service": 3.6, "logistics": 3.6,
    }  # fmt: skip
    short = client.get(f"/shops/{shop_id}/metrics", query_string={**period, "dsr_days": 10}).get_json()["shop"]["dsr"]
    assert (short["reviews"], short["as_described"], short["service"], short["logistics"]) == (4, 3.5, 3.75, 3.75)

    assert body["agents"] == [
        {"agent_id": "agent-a", "replies": 1, "average_reply_seconds": 600.0, "contact_attempts": 1,
         "reviews_contacted": 1, "recovered": 0, "recovery_rate": 0.0, "removals_granted": 1, "removals_refused": 0},
        {"agent_id": "agent-b", "replies": 1, "average_reply_seconds": 1800.0, "contact_attempts": 2,
         "reviews_contacted": 1, "recovered": 1, "recovery_rate": 1.0, "removals_granted": 0, "removals_refused": 1},
    ]  # fmt: skip
    one = client.get(f"/shops/{shop_id}/metrics", query_string={**period, "agent": "agent-b"}).get_json()
    assert [row["agent_id"] for row in one["agents"]] == ["agent-b"]

    empty = client.get(f"/shops/{shop_id}/metrics",
                       query_string={"from": day(100).isoformat(), "to": day(101).isoformat()}).get_json()  # fmt: skip
    assert empty["shop"]["positive_rate"] is None and empty["shop"]["order_defect_rate"] is None
    assert empty["agents"] == []
