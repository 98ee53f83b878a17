"""Sentiment from the packages' own lexicon and model (VADER, snownlp), the language by script, the mismatch rule."""

from __future__ import annotations

import socket
import time

import pytest

from services.reviews import sentiment
from services.reviews.policy import ReviewPolicy
from services.reviews.sentiment import Sentiment, language_of, mismatch, score_text
from shoplab.shops.profiles import load_profile

TAOBAO = ReviewPolicy.of(load_profile("taobao"))


@pytest.fixture
def no_network(monkeypatch):
    """Nothing is fetched at run time: any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("sentiment tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_language_is_chinese_when_a_cjk_ideograph_is_in_the_text():
    assert [language_of(t) for t in ("质量很好", "Good quality 很好", "Très bien", "👍 5 stars")] == [
        "zh", "zh", "en", "en",
    ]  # fmt: skip


def test_english_with_vader_and_chinese_with_snownlp_offline(no_network):
    angry = score_text("Terrible product, broke after one day. Never again!")
    happy = score_text("Great quality, fast shipping, love it")
    assert (angry.language, angry.label, happy.label) == ("en", "negative", "positive")
    assert angry.score <= -0.5 and happy.score >= 0.5
    bad = score_text("垃圾，用了一天就坏了，差评")
    good = score_text("东西不错，卖家态度很好，物流也快")
    assert (bad.language, bad.label, good.label) == ("zh", "negative", "positive")
    assert bad.score <= -0.5 and good.score >= 0.5
    assert -1 <= bad.score <= 1 and -1 <= good.score <= 1


def test_snownlp_is_loaded_once_per_process_and_then_fast():
    score_text("还行")  # loads it, if no test did before
    assert sentiment.MODELS.snownlp_load_seconds is not None  # measured when it loaded
    started = time.perf_counter()
    for _ in range(20):
        score_text("质量太差了，客服态度恶劣，再也不买了")
    assert (time.perf_counter() - started) / 20 < 0.5  # each call scores; none loads again


@pytest.mark.parametrize(
    ("stars", "score", "expected"),
    [
        (5, -0.8, "high_stars_negative_text"),
        (4, -0.5, "high_stars_negative_text"),
        (4, -0.49, None),
        (3, -0.9, None),  # a neutral rating never mismatches
        (3, 0.9, None),
        (2, 0.5, "low_stars_positive_text"),
        (1, 0.9, "low_stars_positive_text"),
        (1, 0.3, None),
    ],
)
def test_mismatch_is_a_positive_rating_with_clearly_negative_text_or_the_reverse(stars, score, expected):
    assert mismatch(TAOBAO, stars, Sentiment(score=score, label="", language="en")) == expected


def test_chinese_needs_a_clearer_score_to_mismatch():
    # snownlp pushes scores to the ends and reads "客服" as negative: -0.76 is a happy "颜色很正，没有色差"
    assert mismatch(TAOBAO, 5, Sentiment(score=-0.76, label="negative", language="zh")) is None
    assert mismatch(TAOBAO, 5, Sentiment(score=-0.8, label="negative", language="zh")) == "high_stars_negative_text"
    assert mismatch(TAOBAO, 5, score_text("颜色很正，没有色差")) is None


def test_five_angry_stars_are_flagged_end_to_end():
    assert mismatch(TAOBAO, 5, score_text("Worst purchase ever, it is broken and useless. Awful.")) is not None
    assert mismatch(TAOBAO, 1, score_text("质量很好，非常满意，推荐购买")) == "low_stars_positive_text"
    assert mismatch(TAOBAO, 5, score_text("质量很好，非常满意")) is None
