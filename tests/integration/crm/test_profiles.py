"""Profiles built only from events, on SQLite and PostgreSQL: any order of arrival, repeats, every source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.crm import handlers
from shoplab.eventbus.consumer import DUPLICATE, HANDLED
from shoplab.eventbus.envelope import Event, make_event, parse_message
from tests.integration.crm.conftest import counts, deliver, open_shop, order_ref, paid, placed, published, refund


def profile(stack, shop_id: str, customer_id: str) -> dict:
    response = stack.client("crm").get(f"/shops/{shop_id}/customers/{customer_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_out_of_order_and_repeated_events_build_the_same_profile(stack):
    shop = open_shop(stack)
    t0 = datetime.now(UTC) - timedelta(days=3)
    # paid before placed; a refund before either; the same event delivered twice
    deliver(stack, "order.paid", shop, paid("o1", "c1", "120.00", t0 + timedelta(minutes=5)))
    deliver(stack, "refund.completed", shop, refund("r1", "o2", "c1", "30.00", t0 + timedelta(days=2)))
    deliver(stack, "order.placed", shop, placed("o1", "c1", "120.00", t0))
    twice = make_event("order.placed", shop_id=shop, source="test", payload=placed("o2", "c1", "80.00", t0))
    assert stack.runtime("crm").consumer.handle(parse_message(twice.to_message())) == HANDLED
    before = counts(stack)
    assert stack.runtime("crm").consumer.handle(parse_message(twice.to_message())) == DUPLICATE
    assert counts(stack) == before  # a redelivered event changes nothing
    deliver(stack, "order.paid", shop, paid("o2", "c1", "80.00", t0 + timedelta(hours=1)))

    found = profile(stack, shop, "c1")
    assert (found["name"], found["country"], found["timezone"], found["language"]) == (
        "王小明", "CN", "Asia/Shanghai", "zh")  # fmt: skip
    assert (found["orders"], found["paid_orders"], found["paid_amount"]) == (2, 2, "200.00")
    assert (found["refunded_amount"], found["refunded_orders"]) == ("30.00", 1)
    assert (found["purchases"], found["spent"]) == (2, "170.00")  # RFM: net of refunds
    assert found["first_order_at"] == t0.isoformat() and found["grade"] == "VIP1"  # two purchases
    assert {t["tag"] for t in found["tags"]} == {"repeat"}
    timeline = stack.client("crm").get(f"/shops/{shop}/customers/c1/timeline").get_json()
    assert [e["kind"] for e in timeline] == [
        "refund.completed",
        "order.paid",
        "order.paid",
        "order.placed",
        "order.placed",
    ]  # fmt: skip  (newest first, shop time)


def test_after_sale_conversations_disputes_and_reviews(stack):
    shop = open_shop(stack)
    now = datetime.now(UTC)
    deliver(stack, "order.placed", shop, placed("o1", "c9", "50.00", now))
    ret = {**order_ref("o1", "c9"), "return_id": "rt1", "status": "received", "occurred_at": now}
    deliver(stack, "return.received", shop, ret)
    deliver(stack, "return.refunded", shop, {**ret, "status": "refunded"})  # the same return: counted once
    ticket = {"ticket_id": "t1", "kind": "pre_sale", "group": "pre_sale", "customer_id": "c9"}
    deliver(stack, "csat.rated", shop, {**ticket, "score": 2, "rated_at": now})  # rated before opened
    deliver(stack, "ticket.opened", shop, {**ticket, "source": "buyer", "channel": "chat", "language": "zh",
                                          "opened_at": now})  # fmt: skip
    deliver(stack, "ticket.opened", shop, {**ticket, "ticket_id": "t2", "customer_id": None, "source": "api",
                                          "channel": "chat", "language": "zh", "opened_at": now})  # fmt: skip
    dispute = {**order_ref("o1", "c9"), "dispute_id": "d1"}
    ruled = {**dispute, "outcome": "buyer", "refund_amount": "50.00", "currency": "CNY", "reason": "r",
             "ruled_at": now}  # fmt: skip
    deliver(stack, "dispute.ruled", shop, ruled)  # the ruling overtook the opening
    deliver(stack, "dispute.opened", shop, {**dispute, "reason": "not_received", "amount_requested": "50.00",
                                            "currency": "CNY", "opened_at": now, "respond_by": now})  # fmt: skip
    # reviews: handled in the order of arrival, whatever it is
    for kind, stars, at in (("review.revised", 4, now + timedelta(hours=2)), ("review.posted", 1, now)):
        data = {"review_id": "rv1", "order_id": "o1", "customer_id": "c9", "stars": stars,
                "posted_at": now, **({"revised_at": at} if kind == "review.revised" else {})}  # fmt: skip
        event = Event(type=kind, shop_id=shop, source="reviews", payload=data)
        with stack.runtime("crm").db.writing() as session:
            handlers.HANDLERS[kind](session, event)

    found = profile(stack, shop, "c9")
    assert found["returns"] == 1
    assert (found["conversations"], found["csat_ratings"], found["csat_average"]) == (1, 1, 2.0)
    assert (found["disputes"], found["disputes_lost"]) == (1, 1)
    assert "dispute_prone" in {t["tag"] for t in found["tags"]}
    # the revision (4 stars, positive) stands though the first posting arrived after it
    assert (found["reviews"], found["average_stars"], found["negative_reviews"]) == (1, 4.0, 0)
    kinds = [e["kind"] for e in stack.client("crm").get(f"/shops/{shop}/customers/c9/timeline").get_json()]
    assert sorted(kinds) == sorted(["order.placed", "return.received", "return.refunded", "csat.rated",
                                    "ticket.opened", "dispute.ruled", "dispute.opened", "review.revised",
                                    "review.posted"])  # fmt: skip
    tagged = published(stack, "customer.tagged")
    assert [(e["customer_id"], e["tag"], e["source"], e["by"]) for e in tagged] == [
        ("c9", "dispute_prone", "rule", "rule:dispute_prone")]  # fmt: skip


def test_grade_segment_and_their_events_follow_purchases(stack):
    shop = open_shop(stack)
    now = datetime.now(UTC)
    for n in range(5):  # VIP2 at five purchases
        deliver(stack, "order.placed", shop, placed(f"o{n}", "big", "100.00", now))
        deliver(stack, "order.paid", shop, paid(f"o{n}", "big", "100.00", now))
    deliver(stack, "order.placed", shop, placed("s1", "small", "5.00", now))
    deliver(stack, "order.paid", shop, paid("s1", "small", "5.00", now))
    client = stack.client("crm")
    summary = client.post(f"/shops/{shop}/rfm/recompute", json={"agent_id": "teacher"}).get_json()
    assert summary["customers"] == 2 and summary["segments"] == {"champions": 1, "new": 1}
    assert profile(stack, shop, "big")["grade"] == "VIP2"
    grades = [(e["grade"], e["previous_grade"]) for e in published(stack, "customer.grade_changed")]
    assert grades == [("VIP1", None), ("VIP2", "VIP1")]
    refreshed = published(stack, "customer.segments_refreshed")[-1]
    assert refreshed["trigger"] == "request" and refreshed["by"] == "teacher" and refreshed["customers"] == 2
    # a cancellation after payment (refunded in full) takes the purchase out of RFM at once
    deliver(stack, "order.cancelled", shop, {**order_ref("s1", "small"), "reason": "buyer", "cancelled_at": now})
    found = profile(stack, shop, "small")
    assert (found["purchases"], found["segment"], found["rfm"]["score"]) == (0, None, None)
    changed = published(stack, "customer.segment_changed")
    assert changed[-1]["customer_id"] == "small" and changed[-1]["segment"] is None


def test_a_rebuild_recounts_the_purchases_ledger(stack):
    from sqlalchemy import update

    from services.crm.models import Customer

    shop = open_shop(stack)
    now = datetime.now(UTC)
    for n in range(3):
        deliver(stack, "order.placed", shop, placed(f"o{n}", "c1", "10.00", now))
        deliver(stack, "order.paid", shop, paid(f"o{n}", "c1", "10.00", now))
    with stack.runtime("crm").db.writing() as session:  # totals drifted (a bug, a restore): the ledger is the truth
        session.execute(update(Customer).where(Customer.customer_id == "c1").values(frequency=7, monetary_cents=1))
    client = stack.client("crm")
    client.post(f"/shops/{shop}/rfm/recompute", json={"agent_id": "t"})
    assert profile(stack, shop, "c1")["purchases"] == 7
    client.post(f"/shops/{shop}/rfm/recompute", json={"agent_id": "t", "rebuild": True})
    found = profile(stack, shop, "c1")
    assert (found["purchases"], found["spent"], found["segment"]) == (3, "30.00", "new")  # alone: R 5, F 1
