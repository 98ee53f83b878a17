"""The shop's side of a review: the public reply and its windows, contact attempts, removal requests judged by the
platform's rules."""

from __future__ import annotations

import pytest

from services.reviews import follow_up_work, replies, reviewing
from services.reviews.models import ContactAttempt, RemovalRequest, ReviewReply
from shoplab.errors import Conflict, InvalidInput
from tests.unit.reviews.conftest import ctx, day, deliver_order, open_shop, published, written


def review_on(session, platform="taobao", stars=2, text="发货太慢了", when=day(1)):
    open_shop(session, platform=platform)
    deliver_order(session, "o1")
    return reviewing.post_review(session, ctx(session, when), "o1", "c1", "A1", written(stars, text))


def test_one_reply_within_the_window_with_its_reply_time_and_event(session):
    review = review_on(session)
    answer = replies.reply(session, ctx(session, day(1) + (day(1) - day(0)) / 24), review.id, "agent-li",
                           "亲，非常抱歉让您久等了，我们已加急处理")  # fmt: skip
    assert answer.reply_seconds == 3600.0 and answer.agent_id == "agent-li" and answer.warnings == []
    [payload] = published(session, "review.replied")
    assert (payload["agent_id"], payload["edited"], payload["reply_seconds"]) == ("agent-li", False, 3600.0)
    with pytest.raises(Conflict) as second:
        replies.reply(session, ctx(session, day(2)), review.id, "agent-li", "再回复一次")
    assert second.value.fields == {"review_id": ["replied already"]}


def test_a_reply_after_the_window_is_refused_naming_the_review(session):
    review = review_on(session)
    with pytest.raises(Conflict) as late:
        replies.reply(session, ctx(session, day(31)), review.id, "agent-li", "抱歉")  # taobao: 30 days
    assert late.value.fields == {"review_id": ["reply window closed"]}
    assert session.query(ReviewReply).count() == 0


def test_the_reply_is_checked_by_the_platform_rules_refused_or_warned(session):
    review = review_on(session)
    with pytest.raises(InvalidInput) as refused:
        replies.reply(session, ctx(session, day(2)), review.id, "agent-li", "加微信给您返现，好评返现")
    assert refused.value.fields == {"text": ["off_platform: 微信, 加微", "paid_reviews: 好评返现"]}
    assert session.query(ReviewReply).count() == 0 and published(session, "review.replied") == []
    answer = replies.reply(session, ctx(session, day(2)), review.id, "agent-li", "亲，保证明天到")
    assert [w["rule"] for w in answer.warnings] == ["risky_promises"]


def test_the_reply_is_edited_within_its_edit_window_and_the_first_text_kept(session):
    review = review_on(session)
    replies.reply(session, ctx(session, day(2)), review.id, "agent-li", "亲，抱歉")
    edited = replies.edit_reply(session, ctx(session, day(2.5)), review.id, "agent-wu", "亲，非常抱歉，已为您补发")
    assert (edited.text, edited.first_text, edited.edits, edited.edited_by) == (
        "亲，非常抱歉，已为您补发", "亲，抱歉", 1, "agent-wu",
    )  # fmt: skip
    assert published(session, "review.replied")[-1]["edited"] is True
    with pytest.raises(Conflict) as late:
        replies.edit_reply(session, ctx(session, day(3)), review.id, "agent-li", "再改")  # 24 h after the reply
    assert late.value.fields == {"review_id": ["reply edit window closed"]}


def test_contact_attempts_on_neutral_negative_reviews_up_to_the_limit(session):
    review = review_on(session)
    for channel in ("chat", "phone", "sms"):
        attempt = follow_up_work.record_contact(session, ctx(session, day(2)), review.id, "agent-li", channel=channel,
                                                outcome="no_answer", note="未接")  # fmt: skip
        assert (attempt.contacted_at, attempt.contacted_wall_at) == (day(2), day(2))
    with pytest.raises(Conflict) as harassing:
        follow_up_work.record_contact(session, ctx(session, day(3)), review.id, "agent-li", channel="chat",
                                      outcome="reached", note="")  # fmt: skip
    assert harassing.value.fields == {"review_id": ["at most 3 contact attempts"]}
    assert session.query(ContactAttempt).count() == 3


def test_a_positive_review_is_not_followed_up(session):
    review = review_on(session, stars=5, text="很好")
    with pytest.raises(Conflict):
        follow_up_work.record_contact(session, ctx(session, day(2)), review.id, "a", channel="chat",
                                      outcome="reached", note="")  # fmt: skip


@pytest.mark.parametrize(
    ("platform", "text", "rule", "decision", "matched"),
    [
        ("taobao", "快递员态度差，有事打我电话13800138000", "personal_information", "granted", ["13800138000"]),
        ("taobao", "什么垃圾店，傻逼", "obscenity", "granted", ["傻逼"]),
        ("taobao", "发货太慢了", "obscenity", "refused", []),
        ("amazon", "Terrible seller, write me at jo.smith@example.com", "personal_information", "granted",
         ["jo.smith@example.com"]),
        ("amazon", "The color is wrong and the battery is weak.", "product_review", "granted", ["color", "battery"]),
        ("amazon", "The color is wrong and the seller never replied.", "product_review", "refused", []),
        ("ebay", "Item broke on day one", "product_review", "granted", ["broke", "Item"]),
    ],
)  # fmt: skip
def test_removal_is_judged_by_the_platforms_rule(session, platform, text, rule, decision, matched):
    review = review_on(session, platform=platform, stars=1, text=text)
    request = follow_up_work.request_removal(session, ctx(session, day(2)), review.id, "agent-li", rule=rule,
                                             note="")  # fmt: skip
    assert (request.decision, sorted(request.matched)) == (decision, sorted(matched))
    assert rule in request.explanation
    assert review.status == ("removed" if decision == "granted" else "published")
    removed = published(session, "review.removed")
    assert [(p["rule"], p["requested_by"]) for p in removed] == ([(rule, "agent-li")] if decision == "granted" else [])


def test_removal_needs_a_rule_of_the_platform_and_its_window(session):
    review = review_on(session, stars=1, text="傻逼")
    with pytest.raises(InvalidInput) as unknown:
        follow_up_work.request_removal(session, ctx(session, day(2)), review.id, "a", rule="product_review", note="")
    assert "rule" in unknown.value.fields  # taobao has no product-review rule
    with pytest.raises(Conflict) as late:
        follow_up_work.request_removal(session, ctx(session, day(31)), review.id, "a", rule="obscenity", note="")
    assert late.value.fields == {"review_id": ["removal request window closed"]}
    follow_up_work.request_removal(session, ctx(session, day(2)), review.id, "a", rule="obscenity", note="")
    with pytest.raises(Conflict):  # removed: nothing more to do on it
        replies.reply(session, ctx(session, day(2)), review.id, "a", "抱歉")
    assert session.query(RemovalRequest).count() == 1
