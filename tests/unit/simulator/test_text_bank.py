"""The buyers' texts: every catalog category has its questions, every case the buyers write about has its texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator import text_bank as bank
from simulator.reference_data import behaviour, texts

CATALOGS = Path(__file__).resolve().parents[3] / "services" / "orders" / "catalog"
CATEGORIES = sorted(
    {
        item["category"]
        for path in CATALOGS.glob("*.yaml")
        if path.stem != "carriers"
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["products"]
    }
)

# Every path the behaviour writes from (simulator/behaviour/*): Chinese and English must have them all.
PATHS = [
    ("nudge",),
    ("complaint_wait",),
    ("not_shipped",),
    ("where_is_parcel",),
    ("parcel_held",),
    ("parcel_lost",),
    ("parcel_delay",),
    ("refund_waiting",),
    ("rejected_unhappy",),
    ("angry",),
    ("night_complaint",),
    ("revised",),
    ("thanks",),
    ("care_answer",),
    *[("problem", kind) for kind in behaviour()["refund_reason"] if kind != "not_received"],
    *[("reminder_answer", outcome) for outcome in ("will_pay", "price_concern", "changed_mind")],
    *[("reminder_answer", "payment_problem", reason) for reason in behaviour()["failure_reasons"]],
    *[("review", stars) for stars in range(1, 6)],
    *[("csat", band) for band in ("low", "mid", "high")],
    *[
        ("dispute", reason)
        for reason in ("not_received", "damaged", "not_as_described", "quality", "wrong_item", "other")
    ],
    ("dispute_answer", "accept"),
    ("dispute_answer", "reject"),
]


def test_the_catalogs_have_the_categories_we_expect() -> None:
    assert len(CATEGORIES) >= 16 and "apparel" in CATEGORIES and "electronics" in CATEGORIES


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_its_own_questions_in_chinese_and_english(language: str, category: str) -> None:
    own = texts(language)["presale"].get(category, [])
    assert len(own) >= 2, f"{language}/{category}"
    for question in own + texts(language)["presale"]["_any"]:
        assert question["topic"] in texts(language)["topics"], question


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("path", PATHS, ids=lambda path: "/".join(map(str, path)))
def test_chinese_and_english_buyers_never_fall_back(language: str, path: tuple) -> None:
    node = texts(language)
    for step in path:
        node = node[step]
    assert node and all(isinstance(text, str) and text.strip() for text in node)


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_spanish_french_and_german_buyers_have_the_common_cases(language: str) -> None:
    own = texts(language)
    for section in ("presale", "topics", "nudge", "where_is_parcel", "angry", "review", "csat", "thanks"):
        assert own.get(section), f"{language} lacks {section}"
    assert set(own["review"]) == {1, 2, 3, 4, 5}
    for path in PATHS:  # what they lack comes from English
        assert bank.message(language, path, {}, 1, "b0001")


def test_slots_are_filled_and_unknown_ones_left_visible() -> None:
    text = bank.message("zh", ("where_is_parcel",), {"order_no": "261102000000000001"}, 1, "b0001", "j1")
    assert "261102000000000001" in text and "{" not in text
    assert bank.fill("{product} {missing}", {"product": "T恤"}) == "T恤 {missing}"


def test_a_question_is_the_same_for_the_same_buyer_and_journey() -> None:
    one = bank.question("en", "apparel", {"product": "dress"}, 5, "b0003", "j00012", 0)
    assert one == bank.question("en", "apparel", {"product": "dress"}, 5, "b0003", "j00012", 0)
    assert one.expects == tuple(texts("en")["topics"][one.topic])
    asked = {bank.question("en", "apparel", {"product": "dress"}, 5, "b0003", f"j{i}", 0).text for i in range(60)}
    assert len(asked) >= 6  # buyers do not all ask the same thing


def test_one_star_reviews_are_category_aware_and_in_the_buyers_language() -> None:
    texts_zh = {bank.one_star_text("zh", "electronics", {"product": "耳机"}, 1, i) for i in range(40)}
    assert any("充不进电" in text for text in texts_zh)  # the electronics complaint is among them
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts_zh)
    assert "Nul." in bank.one_star_text("fr", "apparel", {"product": "robe"}, 1, "x")  # French, not English


def test_word_lists_hold_only_words() -> None:
    """YAML reads an unquoted off, on, yes or no as a boolean: every word list must hold strings."""
    root = Path(__file__).resolve().parents[3] / "simulator"
    files = [*root.glob("texts/*.yaml"), *root.glob("assessment/lexicon/*.yaml")]

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)
        else:
            assert isinstance(node, str | int | float) and not isinstance(node, bool), where

    for path in files:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
