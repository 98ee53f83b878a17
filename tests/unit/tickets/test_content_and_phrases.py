"""Platform-rule checks on replies, and phrase placeholders filled from the ticket's order."""

from __future__ import annotations

import pytest

from services.tickets import messages, order_tasks, phrases, views
from services.tickets.models import Message, PhraseUsage
from services.tickets.opening import open_ticket
from services.tickets.schemas.phrases import PhraseOut
from shoplab.content_rules import check_text, screen
from shoplab.errors import InvalidInput
from shoplab.shops.profiles import load_profile
from tests.unit.tickets.conftest import T0, at, ctx, event, placed, seat, shop_at

TAOBAO = load_profile("taobao")["forbidden_content"]
AMAZON = load_profile("amazon")["forbidden_content"]


def test_chinese_words_match_inside_text_and_name_the_rule():
    found = check_text("亲，加微信给您便宜，我们是全网最低价", TAOBAO)
    assert [(v.rule_id, v.action, v.matched) for v in found] == [
        ("off_platform", "refuse", ("微信", "加微")),
        ("absolute_advertising", "refuse", ("全网最低",)),
    ]


def test_latin_words_match_whole_words_only_and_patterns_find_contacts():
    assert check_text("That sounds familiar, we will check the liar-proof lock", AMAZON)[0].matched == ("liar",)
    assert check_text("It is a familiar question", AMAZON) == []
    contact = check_text("Mail me at jo.smith@example.com or call +1 415 555 0100", AMAZON)
    assert contact[0].rule_id == "contact_details"
    assert contact[0].matched == ("jo.smith@example.com", "+1 415 555 0100")


def test_refuse_raises_with_rule_and_words_warn_passes_with_a_warning():
    with pytest.raises(InvalidInput) as refused:
        screen("Please leave a positive review and I will refund $5", AMAZON)
    assert refused.value.fields == {"body": ["paid_reviews: leave a positive review"]}
    assert refused.value.details["violations"][0]["matched"] == ["leave a positive review"]
    warnings = screen("保证明天到哦亲", TAOBAO)
    assert [(w.rule_id, w.matched) for w in warnings] == [("risky_promises", ("保证明天到",))]


def test_a_refused_reply_writes_nothing(session, shop):
    seat(session, "s1", "a1")
    ticket = open_ticket(session, *shop_at(session, at(0)), kind="pre_sale", customer_id="c1", body="能便宜吗")
    before = session.query(Message).count()
    with pytest.raises(InvalidInput):
        messages.agent_replies(session, *shop_at(session, at(10)), ticket, "a1", "加微信私下交易更便宜")
    assert session.query(Message).count() == before
    assert ticket.awaiting_reply is True and ticket.first_replied_wall_at is None


def test_placeholders_known_unknown_and_malformed():
    assert phrases.placeholders_in("亲 {buyer_name}，订单 {order_no} 已由 {carrier} 发出") == [
        "buyer_name",
        "order_no",
        "carrier",
    ]
    with pytest.raises(InvalidInput) as unknown:
        phrases.placeholders_in("Hi {buyer_name}, your {coupon_code} is ready")
    assert unknown.value.fields == {
        "body": ["unknown placeholder {coupon_code}; known: buyer_name, order_no, tracking_no, carrier, amount"]
    }
    with pytest.raises(InvalidInput):
        phrases.placeholders_in("a { brace")
    assert phrases.placeholders_in("literal {{braces}} are fine") == []


def test_phrase_filled_from_order_facts_and_usage_counted(session, shop):
    seat(session, "s1", "a1")
    order_tasks.on_order_placed(session, event("order.placed", "s1", placed("o1", "c1", "128.50", "韩梅梅"), at(0)))
    phrase = phrases.create(
        session,
        ctx(session, T0),
        {"title": "催付", "body": "亲爱的{buyer_name}，订单{order_no}共{amount}还未付款哦", "language": "zh"},
    )
    ticket = open_ticket(
        session, *shop_at(session, at(1)), kind="order", customer_id="c1", order_id="o1", body="我的订单"
    )
    message, _ = messages.agent_replies(session, *shop_at(session, at(5)), ticket, "a1", phrase_id=phrase.id)
    assert message.body == "亲爱的韩梅梅，订单NO-o1共128.50 CNY还未付款哦"
    messages.agent_replies(session, *shop_at(session, at(6)), ticket, "a1", "有问题随时找我", phrase_id=phrase.id)
    usage = session.get(PhraseUsage, ("s1", phrase.id, "a1"))
    assert usage.uses == 2
    assert PhraseOut().dump(views.phrase_uses(session, "s1")[0])["uses_by_agent"] == {"a1": 2}


def test_a_placeholder_the_order_cannot_fill_is_refused_by_name(session, shop):
    seat(session, "s1", "a1")
    order_tasks.on_order_placed(session, event("order.placed", "s1", placed("o1", "c1"), at(0)))
    phrase = phrases.create(
        session, ctx(session, T0), {"title": "查件", "body": "单号 {tracking_no}", "language": "zh"}
    )
    ticket = open_ticket(session, *shop_at(session, at(1)), kind="logistics", order_id="o1", body="到哪了")
    with pytest.raises(InvalidInput) as missing:
        messages.agent_replies(session, *shop_at(session, at(2)), ticket, "a1", phrase_id=phrase.id)
    assert missing.value.fields == {"phrase_id": ["no value for {tracking_no} on this ticket (its order does not say)"]}
    assert session.get(PhraseUsage, ("s1", phrase.id, "a1")) is None
