"""The reply rubric on real replies, Chinese and English, good and bad: every item with its evidence."""

from __future__ import annotations

from typing import Any

import pytest

from shoplab.shops.profiles import load_profile
from simulator.assessment import FAIL, NA, PASS, ReplyContext, assess
from simulator.assessment.language import detect_language

ORDER = {
    "order_no": "261102000000004217",
    "product": "男士纯棉圆领短袖T恤",
    "product_alt": "Men's pure cotton crew-neck T-shirt",
    "amount": "59.00",
}
ORDER_EN = {**ORDER, "product": "Men's pure cotton crew-neck T-shirt", "product_alt": "男士纯棉圆领短袖T恤"}


def context(language: str, purpose: str, platform: str = "taobao", **given: Any) -> ReplyContext:
    return ReplyContext(
        language=language,
        purpose=purpose,
        buyer_names=("王丹丹", "丹丹", "王") if language == "zh" else ("Emily Clark", "Emily", "Clark"),
        facts=given.pop("facts", ORDER if language == "zh" else ORDER_EN),
        forbidden_rules=tuple(load_profile(platform)["forbidden_content"]),
        **given,
    )


def statuses(text: str, ctx: ReplyContext) -> dict[str, str]:
    return {item.item: item.status for item in assess(text, ctx).items}


def test_a_good_chinese_payment_reminder_passes_every_item_with_its_evidence() -> None:
    ctx = context("zh", "payment_reminder", facts_due=("order",), failure_reason="insufficient_funds")
    text = (
        "亲，您好！您拍下的纯棉T恤（订单尾号000004217）还没有付款哦～如果卡里余额不足，可以换一张卡或者用花呗分期，"
        "今天16点前付款当天发货。祝您购物愉快！"
    )
    result = assess(text, ctx)
    assert result.score == 1.0
    assert result.item("greeting").evidence == ("亲",)
    assert result.item("order_facts").status == PASS
    assert "order_no: …000004217" not in result.item("order_facts").evidence  # only the digits quoted count
    assert any(e.startswith("order_no: …") for e in result.item("order_facts").evidence)
    assert any(e.startswith("product: ") for e in result.item("order_facts").evidence)
    assert set(result.item("addresses_failure").evidence) >= {"余额", "花呗", "换一张卡"}
    assert "祝您购物愉快" in result.item("closing").evidence
    assert result.item("apology").status == NA and result.item("solution").status == NA


def test_a_bad_chinese_reminder_fails_with_what_is_missing() -> None:
    ctx = context("zh", "payment_reminder", facts_due=("order",), failure_reason="3ds_timeout")
    result = assess("快点付款，不然就取消了，加微信给你便宜", ctx)
    assert result.item("greeting").status == FAIL and result.item("greeting").evidence == ("no greeting at the start",)
    assert result.item("order_facts").evidence == (
        "missing order_no 261102000000004217 or product 男士纯棉圆领短袖T恤",
    )
    assert result.item("addresses_failure").evidence == ("nothing on the failure: 3ds_timeout",)
    assert result.item("forbidden").status == FAIL
    assert result.item("forbidden").evidence == ("off_platform (refuse): 微信, 加微",)
    assert result.score <= 0.25  # a broken platform rule caps the score


def test_chinese_after_sale_reply_needs_an_apology_and_a_solution_with_a_time_frame() -> None:
    ctx = context("zh", "after_sale", facts_due=("order",), apology_due=True, solution_due=True)
    good = assess("亲，非常抱歉给您带来不便！订单4217的T恤我们今天为您补发，48小时内送达。", ctx)
    assert good.passed("apology") and good.passed("solution")
    assert set(good.item("solution").evidence) >= {"补发", "今天", "48小时内"}
    vague = assess("亲，我们会尽快处理的。", ctx)
    assert vague.item("apology").evidence == ("no apology",)
    assert vague.item("solution").evidence == ("solution: 处理", "no time frame (vague: 尽快)")
    assert vague.item("order_facts").status == FAIL


def test_a_good_english_pre_sale_answer() -> None:
    ctx = context(
        "en",
        "pre_sale",
        platform="aliexpress",
        expects=("size", "S", "M", "L", "XL", "cm", "chart"),
        question_topic="size",
    )
    text = (
        "Hi Emily, thanks for your message! For 175 cm and 70 kg we recommend size L; see the size chart. "
        "Have a nice day!"
    )
    result = assess(text, ctx)
    assert statuses(text, ctx) == {
        "greeting": PASS,
        "addressing": PASS,
        "order_facts": NA,
        "answers_question": PASS,
        "apology": NA,
        "solution": NA,
        "addresses_failure": NA,
        "closing": PASS,  # optional in a chat round: present, so it passes
        "language": PASS,
        "forbidden": PASS,
    }
    assert result.item("addressing").evidence == ("Emily",)
    assert set(result.item("answers_question").evidence) >= {"L", "cm", "chart", "size"}


def test_an_english_answer_that_misses_the_question_and_the_buyer() -> None:
    ctx = context(
        "en", "pre_sale", platform="aliexpress", expects=("size", "S", "M", "L", "XL", "cm"), question_topic="size"
    )
    result = assess("I'm not sure, check the listing.", ctx)
    # "I'm" holds an "m", but a size written in capitals only matches in capitals
    assert result.item("answers_question").evidence == ("nothing on size",)
    assert result.item("greeting").status == FAIL and result.item("addressing").status == FAIL


def test_english_forbidden_words_are_whole_words_from_the_profile() -> None:
    ctx = context("en", "complaint", platform="aliexpress", apology_due=True, solution_due=True)
    assert assess("Hello, we are familiar with this issue, sorry.", ctx).passed("forbidden")  # not "liar"
    rude = assess("You are a liar. Contact me on WhatsApp: +1 415 555 0100", ctx)
    evidence = rude.item("forbidden").evidence
    assert "off_platform (refuse): WhatsApp" in evidence
    assert "abuse (refuse): liar" in evidence
    assert any(e.startswith("contact_details (refuse): ") and "415 555 0100" in e for e in evidence)


def test_english_solution_needs_a_concrete_time_frame() -> None:
    ctx = context("en", "logistics", platform="ebay", facts_due=("order",), apology_due=True, solution_due=True)
    good = assess(
        "Hello Emily, sorry for the delay with order 261102000000004217. We will resend it today and it arrives "
        "within 5 business days. Kind regards",
        ctx,
    )
    assert good.score == 1.0
    vague = assess("We will look into it as soon as possible.", ctx)
    assert vague.item("solution").evidence == ("no concrete solution", "no time frame (vague: as soon as possible)")


def test_a_reply_in_another_language_than_the_buyers_fails_and_says_which() -> None:
    ctx = context("zh", "pre_sale", expects=("有货",))
    result = assess("Hello, yes it is in stock and ships today. Thank you!", ctx)
    assert result.item("language").status == FAIL
    assert result.item("language").evidence[0].startswith("en (small words:")
    assert result.item("greeting").status == PASS  # an English greeting is still a greeting
    assert result.score <= 0.4


@pytest.mark.parametrize(
    ("language", "text", "greeting", "apology", "closing"),
    [
        (
            "es",
            "Hola María, lo sentimos mucho por el retraso del pedido. Le haremos el reembolso hoy. Saludos",
            "Hola",
            "lo sentimos",
            "Saludos",
        ),
        (
            "fr",
            "Bonjour Camille, nous sommes désolés pour ce retard. Nous vous remboursons aujourd'hui. Cordialement",
            "Bonjour",
            "désolés",
            "Cordialement",
        ),
        (
            "de",
            "Hallo Anna, es tut uns leid wegen der Verspätung. Wir erstatten heute den Betrag. Viele Grüße",
            "Hallo",
            "es tut uns leid",
            "Viele Grüße",
        ),
    ],
)
def test_spanish_french_and_german_greeting_apology_and_closing(language, text, greeting, apology, closing) -> None:
    ctx = ReplyContext(language=language, purpose="review_contact", apology_due=True, solution_due=True)
    result = assess(text, ctx)
    assert greeting in result.item("greeting").evidence
    assert apology in result.item("apology").evidence
    assert closing in result.item("closing").evidence
    assert result.passed("language") and result.passed("solution")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("亲，您好！这款有现货的哦", "zh"),
        ("Thanks, your parcel is on the way.", "en"),
        ("Gracias, su pedido está en camino.", "es"),
        ("Merci, votre colis est en route.", "fr"),
        ("Danke, Ihre Bestellung ist unterwegs.", "de"),
        ("ご注文ありがとうございます", "ja"),
        ("Спасибо за заказ", "ru"),
        ("12345", "unknown"),
    ],
)
def test_the_language_of_a_reply(text: str, language: str) -> None:
    assert detect_language(text)[0] == language


def test_greeting_and_closing_are_judged_where_they_belong() -> None:
    ctx = context("en", "payment_reminder", platform="ebay")
    # a "thank you" at the start is a greeting, not a closing; a late "hello" is no greeting
    assert assess("Thank you for your message. Your order is waiting.", ctx).item("closing").status == FAIL
    late = assess("Your order is waiting for payment, we would be glad to ship it soon, hello there.", ctx)
    assert late.item("greeting").status == FAIL
