"""Reviewing an order line, revising once, following up once: the rules on the shop's clock, and their events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.reviews import order_facts, reviewing
from services.reviews.models import Review, ReviewVersion
from shoplab.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.unit.reviews.conftest import (
    T0,
    ctx,
    day,
    deliver_order,
    delivered,
    event,
    open_shop,
    placed,
    published,
    ref,
    written,
)


@pytest.fixture
def shop(session):
    return open_shop(session)


def post(session, when, order_id="o1", sku="A1", customer_id="c1", **kw):
    return reviewing.post_review(session, ctx(session, when), order_id, customer_id, sku, written(**kw))


def test_a_delivered_order_is_reviewed_once_per_line(session, shop):
    deliver_order(session, "o1", skus=("A1", "B2"))
    first = post(session, day(1), stars=5, text="质量很好，物流很快")
    second = post(session, day(2), sku="B2", stars=2, text="颜色和图片不一样")
    assert (first.rating, second.rating) == ("positive", "negative")
    with pytest.raises(Conflict) as again:
        post(session, day(3), sku="A1", stars=1)
    assert again.value.fields == {"sku": ["reviewed already"]} and again.value.details["review_id"] == first.id
    assert session.query(Review).count() == 2


def test_review_window_on_the_shop_clock_from_delivery(session, shop):
    deliver_order(session, "o1", delivered_at=day(2))
    with pytest.raises(Conflict) as closed:
        post(session, day(17))  # taobao: 15 days from the delivery (day 2)
    assert closed.value.details["reason"] == "window_closed" and "order_id" in closed.value.fields
    assert closed.value.details["review_by"] == day(17).isoformat()
    assert post(session, day(17) - timedelta(seconds=1)).rating == "positive"


def test_an_undelivered_or_cancelled_order_is_not_reviewable(session, shop):
    order_facts.on_order_placed(session, event("order.placed", "s1", placed("o1")))
    with pytest.raises(Conflict) as undelivered:
        post(session, day(1))
    assert undelivered.value.details["reason"] == "not_delivered"
    assert undelivered.value.fields == {"order_id": ["the order has not been delivered yet"]}
    cancelled_payload = {**ref("o1"), "reason": "buyer", "cancelled_at": T0.isoformat()}
    order_facts.on_order_cancelled(session, event("order.cancelled", "s1", cancelled_payload))
    with pytest.raises(Conflict) as cancelled:
        post(session, day(1))
    assert cancelled.value.details["reason"] == "cancelled"
    with pytest.raises(NotFound):
        post(session, day(1), order_id="nope")
    assert session.query(Review).count() == 0


def test_a_completed_order_whose_delivery_was_not_heard_opens_the_window_at_completion(session, shop):
    order_facts.on_order_placed(session, event("order.placed", "s1", placed("o1")))
    completed = {**ref("o1"), "completed_at": day(10).isoformat(), "by": "auto"}
    order_facts.on_order_completed(session, event("order.completed", "s1", completed))
    assert post(session, day(24)).rating == "positive"


@pytest.mark.parametrize(("platform", "closed"), [("taobao", True), ("amazon", False)])
def test_an_order_refunded_in_full_is_closed_on_profiles_that_say_so(session, platform, closed):
    open_shop(session, platform=platform)
    deliver_order(session, "o1")
    refund = {**ref("o1"), "refund_id": "r1", "amount": "99.00", "currency": "CNY", "reason": "damaged",
              "kind": "refund_only", "occurred_at": T0.isoformat()}  # fmt: skip
    order_facts.on_refund_completed(session, event("refund.completed", "s1", refund))
    if closed:
        with pytest.raises(Conflict) as refused:
            post(session, day(1))
        assert refused.value.details["reason"] == "closed_by_refund"
    else:
        assert post(session, day(1), text="Arrived late but fine").rating == "positive"


def test_only_the_orders_buyer_reviews_and_only_its_lines(session, shop):
    deliver_order(session, "o1")
    with pytest.raises(Forbidden) as stranger:
        post(session, day(1), customer_id="c2")
    assert stranger.value.fields == {"customer_id": ["not the buyer of this order"]}
    with pytest.raises(InvalidInput) as wrong_line:
        post(session, day(1), sku="Z9")
    assert "sku" in wrong_line.value.fields


def test_bad_text_and_photos_name_the_field(session, shop):
    deliver_order(session, "o1")
    for text, reason in (("   ", "must not be blank"), ("好" * 501, "at most 500 characters"),
                         ("ok\x00", "control characters")):  # fmt: skip
        with pytest.raises(InvalidInput) as bad:
            post(session, day(1), text=text)
        assert reason in bad.value.fields["text"][0]
    too_many = reviewing.Written(text="好", stars=5, scores=written().scores, photos=["https://x/p.jpg"] * 10)
    with pytest.raises(InvalidInput) as photos:
        reviewing.post_review(session, ctx(session, day(1)), "o1", "c1", "A1", too_many)
    assert photos.value.fields == {"photos": ["at most 9 photos"]}
    assert session.query(Review).count() == 0


def test_an_order_whose_lines_have_not_arrived_yet_is_not_reviewable_yet(session, shop):
    order_facts.on_order_delivered(session, event("order.delivered", "s1", delivered("o1", T0)))  # before placed
    with pytest.raises(Conflict) as early:
        post(session, day(1))
    assert early.value.details["reason"] == "lines_unknown"
    order_facts.on_order_placed(session, event("order.placed", "s1", placed("o1")))
    assert post(session, day(1)).order_no == "NO-o1"


def test_posted_event_carries_what_the_queue_needs_for_a_follow_up(session, shop):
    deliver_order(session, "o1")
    review = post(session, day(1), stars=3, text="一般般，包装有点破", logistics=2)
    [payload] = published(session, "review.posted")
    assert payload["review_id"] == review.id and payload["order_no"] == "NO-o1" and payload["sku"] == "A1"
    assert (payload["customer_id"], payload["buyer_name"], payload["buyer_language"]) == ("c1", "韩梅梅", "zh")
    assert (payload["stars"], payload["rating"], payload["needs_follow_up"]) == (3, "neutral", True)
    assert payload["text_excerpt"] == "一般般，包装有点破"
    assert payload["scores"] == {"as_described": 5, "service": 5, "logistics": 2}
    assert payload["revise_by"] == day(31).isoformat()  # 30 days from posting (day 1)
    deliver_order(session, "o2")
    post(session, day(1), order_id="o2", stars=5)
    positive = published(session, "review.posted")[1]
    assert (positive["needs_follow_up"], positive["revise_by"]) == (False, None)  # a positive review is not revised


def test_a_neutral_or_negative_review_is_revised_once_up_or_down_with_its_history(session, shop):
    deliver_order(session, "o1")
    review = post(session, day(1), stars=2, text="发货太慢了")
    revised = reviewing.revise_review(session, ctx(session, day(5)), review.id, "c1", written(5, "客服很耐心，给好评"))
    assert (revised.stars, revised.rating, revised.first_stars, revised.first_rating) == (5, "positive", 2, "negative")
    [payload] = published(session, "review.revised")
    assert (payload["previous_stars"], payload["previous_rating"], payload["direction"], payload["recovered"]) == (
        2, "negative", "up", True,
    )  # fmt: skip
    versions = session.query(ReviewVersion).filter_by(review_id=review.id).order_by(ReviewVersion.seq).all()
    assert [(v.kind, v.stars) for v in versions] == [("review", 2), ("revision", 5)]
    with pytest.raises(Conflict) as twice:
        reviewing.revise_review(session, ctx(session, day(6)), review.id, "c1", written(1, "还是差评"))
    assert twice.value.fields == {"review_id": ["revised already"]}


def test_downward_revision_and_the_revision_window(session, shop):
    deliver_order(session, "o1", skus=("A1", "B2"))
    neutral = post(session, day(1), stars=3, text="一般")
    down = reviewing.revise_review(session, ctx(session, day(2)), neutral.id, "c1", written(1, "用了两天就坏了"))
    assert (down.rating, published(session, "review.revised")[0]["direction"]) == ("negative", "down")
    assert published(session, "review.revised")[0]["recovered"] is False
    late = post(session, day(1), sku="B2", stars=1, text="差")
    with pytest.raises(Conflict) as closed:
        reviewing.revise_review(session, ctx(session, day(31)), late.id, "c1", written(4, "好"))
    assert closed.value.fields == {"review_id": ["revision window closed"]}


def test_a_positive_review_is_not_revised(session, shop):
    deliver_order(session, "o1")
    review = post(session, day(1), stars=4)
    with pytest.raises(Conflict) as refused:
        reviewing.revise_review(session, ctx(session, day(2)), review.id, "c1", written(1, "差"))
    assert refused.value.fields == {"review_id": ["a positive review"]}


def test_one_follow_up_within_its_window_from_delivery(session, shop):
    deliver_order(session, "o1", skus=("A1", "B2"), delivered_at=day(0))
    review = post(session, day(1), stars=5, text="Great, works well")
    angry = written(None, "Stopped working after two months. Terrible, very disappointed.")
    followed = reviewing.follow_up(session, ctx(session, day(60)), review.id, "c1", angry)
    assert followed.followed_up_at == day(60)
    assert followed.mismatch == "high_stars_negative_text"  # a 5-star review whose follow-up is angry
    with pytest.raises(Conflict) as twice:
        reviewing.follow_up(session, ctx(session, day(61)), review.id, "c1", written(None, "again"))
    assert twice.value.fields == {"review_id": ["followed up already"]}
    other = post(session, day(2), sku="B2", stars=4)
    with pytest.raises(Conflict) as late:
        reviewing.follow_up(session, ctx(session, day(180)), other.id, "c1", written(None, "追评"))
    assert late.value.fields == {"review_id": ["follow-up window closed"]}


def test_reviewable_says_why_and_until_when(session, shop):
    deliver_order(session, "o1", skus=("A1", "B2"), delivered_at=day(1))
    review = post(session, day(2))
    answer = reviewing.reviewable(session, ctx(session, day(3)), "o1")
    assert answer["reviewable"] is True and answer["review_by"] == day(16)
    assert [(line["sku"], line["review_id"]) for line in answer["lines"]] == [("A1", review.id), ("B2", None)]
    assert reviewing.reviewable(session, ctx(session, day(16)), "o1")["reason"] == "window_closed"
