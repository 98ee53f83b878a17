"""Which of the order's facts a reply names: the order number (whole, or its last digits), the product (its name, or
enough of it), the tracking number, the carrier, the amount."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simulator.assessment.words import find_words, rubric

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_PRODUCT_STOPWORDS = frozenset({"with", "for", "and", "pack", "pcs", "set", "the", "from", "mens", "men's", "women's"})


def named_facts(text: str, facts: Mapping[str, Any]) -> dict[str, str]:
    """fact name -> the words of the reply that name it."""
    found: dict[str, str] = {}
    order_no = str(facts.get("order_no") or "")
    if order_no:
        digits = rubric()["order_no_min_digits"]
        if order_no in text:
            found["order_no"] = order_no
        elif len(order_no) > digits and order_no[-digits:] in text:
            found["order_no"] = "…" + order_no[-digits:]
    product = _product_words(text, facts)
    if product:
        found["product"] = product
    for fact in ("tracking_no", "carrier"):
        value = str(facts.get(fact) or "")
        if value and value.lower() in text.lower():
            found[fact] = value
    amount = str(facts.get("amount") or "")
    if amount and (amount in text or amount.removesuffix(".00") in re.findall(r"\d+(?:\.\d+)?", text)):
        found["amount"] = amount
    return found


def _product_words(text: str, facts: Mapping[str, Any]) -> str | None:
    for title in (facts.get("product"), facts.get("product_alt")):
        if not title:
            continue
        title = str(title)
        if title.lower() in text.lower():
            return title
        if any("\u4e00" <= char <= "\u9fff" for char in title):
            # Two of the title's character pairs ("纯棉", "T恤") name it; one could be a common word.
            pairs = {title[i : i + 2] for i in range(len(title) - 1) if not title[i : i + 2].isascii()}
            hits = sorted(pair for pair in pairs if pair in text)
            if len(hits) >= 2:
                return "、".join(hits)
        else:
            keys = [word for word in _LATIN_WORD.findall(title) if word.lower() not in _PRODUCT_STOPWORDS]
            hits = find_words(text, keys)
            if hits:
                return ", ".join(hits)
    return None
