"""The shared platform-rule checker (shoplab.content_rules): the behaviour tickets' copy has, plus ``unless_words``
for removal rules and the field a refusal names."""

from __future__ import annotations

import pytest

from shoplab.content_rules import check_rule, check_text, screen
from shoplab.errors import InvalidInput
from shoplab.shops.profiles import load_profile

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


def test_a_refusal_names_the_field_it_is_given():
    with pytest.raises(InvalidInput) as refused:
        screen("加微信", TAOBAO, field="text")
    assert refused.value.fields == {"text": ["off_platform: 微信, 加微"]}


def test_unless_words_keep_a_rule_from_firing():
    rule = {"id": "product_review", "action": "remove", "words": ["battery", "color"], "unless_words": ["seller"]}
    assert check_rule("The battery dies fast", rule).matched == ("battery",)
    assert check_rule("The battery dies fast and the seller ignored me", rule) is None
    assert check_rule("Arrived fine", rule) is None
