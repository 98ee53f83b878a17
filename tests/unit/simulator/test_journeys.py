"""Buyers' behaviour against the in-memory shop, the test acting as the student."""

from __future__ import annotations

from tests.unit.simulator.stage import Stage

GOOD_ANSWER = (
    "亲，您好！这款有现货，今天下单今天发货，全国包邮，尺码标准，支持七天无理由退换，正品带发票。还有什么可以帮您的吗？"
)


def test_a_question_answered_in_time_is_read_and_the_buyer_decides() -> None:
    stage = Stage(behaviour={"follow_up_question": 0, "forget": 0, "fail": 0})
    journey = stage.journey(mode="ask")
    stage.run(600)  # browse, then ask
    [conversation] = stage.waiting()
    topic_word = journey.question.expects[0]  # the student answers the question that was asked
    stage.desk.reply(conversation.id, f"亲，您好！关于{topic_word}：{GOOD_ANSWER}")
    stage.run(300)
    answer = stage.record("answer_read")
    assert dict(answer.detail)["late"] is False and dict(answer.detail)["score"] == 1.0
    assert "decide_order" in stage.actions() or "leave" in stage.actions()
    [kept] = stage.world.replies
    assert kept.purpose == "pre_sale" and topic_word in kept.assessment.item("answers_question").evidence
    stored = kept.to_dict()
    assert stored["score"] == 1.0 and stored["language"] == "zh" and len(stored["items"]) == 10
    assert stored["conversation_id"] == conversation.id and stage.world.reply_score() == 1.0
    asked = next(r.t for r in stage.world.log if r.action == "ask")
    assert 600 - asked - 10 <= kept.wait_seconds <= 600 - asked  # the question reached the shop at the next tick


def test_patience_runs_out_at_its_moment_whatever_the_ticks() -> None:
    """A buyer left waiting nudges, complains or leaves when their patience ends; a reply that comes later is read
    after that, whether the simulator ticked every ten seconds or once at the end."""
    logs = []
    for step in (10.0, 3000.0):
        stage = Stage(behaviour={"follow_up_question": 0}, buyers={"count": 20, "temperaments": {"demanding": 1}})
        journey = stage.journey(buyer="b0003", mode="ask")
        stage.run(600, step=10.0)
        asked_at = next(r.t for r in stage.world.log if r.action == "ask")
        patience = stage.world.persona(journey).patience_seconds
        stage.run(patience + 60, step=10.0)
        if stage.waiting():
            stage.desk.reply(stage.waiting()[0].id, GOOD_ANSWER)
        stage.run(1200, step=step)
        logs.append([record.as_tuple() for record in stage.world.log])
        impatient = next(r for r in stage.world.log if r.action in ("nudge", "complain", "leave"))
        assert impatient.t == asked_at + patience
    assert logs[0] == logs[1]


def _pays_after_reminder(order_hour: float) -> tuple[int, int]:
    """20 buyers order at ``order_hour`` (Shanghai) and forget to pay; each is reminded 20 minutes later (the usual
    cadence) with a good text; how many were reminded, and how many paid because of it."""
    stage = Stage(
        behaviour={"ask": 0, "forget": 0.98, "fail": 0, "pay_unprompted": 0, "pay_after_reminder": 0.98},
        duration="24h",
        buyers={"count": 20},
    )
    stage.run((order_hour - 9) * 3600, step=600)  # the stage opens at 09:00 in Shanghai
    for number in range(1, 21):
        stage.journey(buyer=f"b{number:04d}", key=f"j{number:05d}", mode="order")
    stage.run(1200 + 600, step=30)  # browse, order, then twenty minutes
    text = "亲，您好！您拍下的宝贝（订单{no}）还没付款哦，今天付款今天发货。祝您购物愉快！"
    unpaid = stage.desk.orders("unpaid")
    for order in unpaid:
        stage.desk.remind(order.id, text.format(no=order.number))
    stage.run(3 * 3600, step=60)
    paid = [r for r in stage.world.log if r.action == "pay" and dict(r.detail)["cause"] == "reminder"]
    return len(unpaid), len(paid)


def test_a_reminder_at_night_is_not_followed_and_one_in_the_afternoon_is() -> None:
    reminded_day, paid_day = _pays_after_reminder(14.5)
    reminded_night, paid_night = _pays_after_reminder(22.5)
    assert reminded_day >= 14 and reminded_night >= 14
    assert paid_night == 0
    assert paid_day >= 0.6 * reminded_day


def test_an_injected_payment_failure_and_a_reminder_that_addresses_it() -> None:
    stage = Stage(
        behaviour={"ask": 0, "forget": 0, "fail": 0, "pay_unprompted": 0, "pay_after_reminder": 0.98},
        injections=[{"at": "1m", "kind": "failed_payment", "reason": "insufficient_funds"}],
    )
    stage.run(3600, step=30)
    assert "payment_failed_injected" in stage.actions()
    [order] = stage.desk.orders("unpaid")
    assert order.failure_reason == "insufficient_funds"
    stage.desk.remind(
        order.id, f"亲，您好！订单{order.number}付款没成功，可能是余额不足，可以换一张卡或者用花呗。祝您购物愉快！"
    )
    stage.run(3600, step=30)
    read = dict(stage.record("reminder_read").detail)
    assert read["pays"] is True
    assert stage.desk.orders("paid")
    assert stage.shop.injections[0].kind == "failed_payment"


def _delivered_with_problem(stage: Stage) -> None:
    stage.journey(mode="order")
    stage.run(1800, step=30)
    [order] = stage.desk.orders("paid")
    stage.desk.ship(order.id, "ZTO", "ZT123456789012", promised_days=3, takes_days=2)
    stage.run(3 * 86400, step=600)


def test_something_wrong_after_delivery_a_refund_refused_and_a_dispute() -> None:
    stage = Stage(
        behaviour={"ask": 0, "forget": 0, "fail": 0, "problem": 0.98, "return": 0.98, "dispute": 0.98},
        duration="20d",
        buyers={"count": 20, "temperaments": {"demanding": 1}},
    )
    _delivered_with_problem(stage)
    assert "report_problem" in stage.actions() and "request_refund" in stage.actions()
    [(refund_id, _refund)] = stage.desk.requested_refunds()
    stage.desk.decide_refund(refund_id, approve=False, note="不行")
    stage.run(2 * 86400, step=600)
    assert "open_dispute" in stage.actions()
    [(dispute_id, dispute)] = stage.desk.disputes_awaiting()
    stage.desk.propose(dispute_id, "full_refund", dispute["amount"], "亲，非常抱歉，订单全额退款今天到账。")
    stage.run(86400, step=600)
    assert dict(stage.record("answer_dispute").detail)["accept"] is True
    assert stage.shop.disputes[dispute_id]["status"] == "settled"


def test_a_one_star_review_revised_after_a_good_contact_but_not_after_a_bribe() -> None:
    outcomes = {}
    for label, contact in (
        ("good", "亲，您好！非常抱歉这次让您失望了，订单{no}我们明天为您补发，48小时内送达。感谢您的支持！"),
        ("bribe", "亲，改成好评返现10元哦"),
    ):
        stage = Stage(
            behaviour={"ask": 0, "forget": 0, "fail": 0, "problem": 0, "review": 0, "revise": 0.98},
            duration="20d",
            injections=[{"at": "4d", "kind": "one_star_review"}],
        )
        _delivered_with_problem(stage)
        stage.run(86400, step=600)
        [(review_id, review)] = stage.desk.bad_reviews()
        assert review["stars"] == 1
        order = stage.shop.orders[review["order"]]
        stage.desk.contact_review(review_id, contact.format(no=order.number))
        stage.run(2 * 86400, step=600)
        outcomes[label] = stage.shop.reviews[review_id]["stars"]
    assert outcomes == {"good": 4, "bribe": 1}


def test_a_lost_parcel_makes_the_buyer_ask_and_then_claim() -> None:
    stage = Stage(
        behaviour={"ask": 0, "forget": 0, "fail": 0, "return": 0.98},
        duration="20d",
        injections=[{"at": "1h", "kind": "lost_parcel"}],
    )
    stage.journey(mode="order")
    stage.run(1200, step=30)
    [order] = stage.desk.orders("paid")
    stage.desk.ship(order.id, "ZTO", "ZT123456789012", promised_days=3, takes_days=2)
    stage.run(4 * 86400, step=600)
    assert dict(stage.record("parcel_exception_seen").detail)["kind"] == "lost"
    assert dict(stage.record("write").detail)["topic"] == "parcel_lost"
    assert "request_refund" in stage.actions()
    assert stage.shop.refunds["r1"]["reason"] == "not_received"


def test_injections_without_a_target_are_recorded_as_skipped() -> None:
    stage = Stage(injections=[{"at": "1m", "kind": "dispute"}, {"at": "2m", "kind": "customs_hold"}])
    stage.run(600)
    skipped = [dict(r.detail)["kind"] for r in stage.world.log if r.action == "injection_skipped"]
    assert skipped == ["dispute", "customs_hold"]
    assert stage.shop.injections == []


def test_a_presale_flood_and_an_angry_buyer_fill_the_queue() -> None:
    stage = Stage(
        injections=[{"at": "1m", "kind": "presale_flood", "count": 12}, {"at": "2m", "kind": "angry_message"}]
    )
    stage.run(180)
    waiting = stage.waiting()
    assert len(waiting) == 13
    assert sorted(c.kind for c in waiting).count("complaint") == 1
    assert len({c.buyer for c in waiting if c.kind == "pre_sale"}) == 12
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.messages[0][1]) for c in waiting)


def test_a_resolved_conversation_is_rated_by_what_happened() -> None:
    stage = Stage(behaviour={"follow_up_question": 0, "rate": 0.98, "forget": 0, "fail": 0})
    stage.journey(mode="ask")
    stage.run(600)
    [conversation] = stage.waiting()
    stage.desk.reply(conversation.id, GOOD_ANSWER)
    stage.desk.resolve(conversation.id)
    stage.run(1200)
    assert dict(stage.record("rate").detail)["score"] >= 4


def test_a_care_message_is_read_assessed_and_may_be_answered() -> None:
    stage = Stage(behaviour={"answer_care": 0.98}, buyers={"count": 20})
    stage.journey(buyer="b0002", mode="ask")
    stage.run(60)
    name = stage.world.personas["b0002"].name
    stage.desk.care("b0002", f"亲爱的{name}，您好！双十一快乐，感谢您一直以来的支持，祝您生活愉快！")
    stage.run(3600)
    care = [r for r in stage.world.replies if r.purpose == "care"][0]
    assert care.assessment.passed("greeting") and care.assessment.passed("addressing")
    assert "care_read" in stage.actions("b0002")
    assert any(r.journey == "care-b0002" and r.action == "write" for r in stage.world.log)
