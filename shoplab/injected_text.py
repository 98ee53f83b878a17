"""Filling an injected text's slots (``{order_no}``, ``{product}``) with the facts of the order its owner picked.

The gateway writes an injection's text before anyone knows which order it will land on (an injection into every shop
of a class names no order); the owning service knows, and fills the slots here. A slot without a fact takes a plain
word in the text's language, so a buyer never writes ``{product}``.
"""

from __future__ import annotations

PLAIN = {"zh": {"order_no": "我的订单", "product": "宝贝"}, "en": {"order_no": "my order", "product": "the item"}}


class _Slots(dict):
    def __init__(self, facts: dict[str, str], plain: dict[str, str]) -> None:
        super().__init__({key: value for key, value in facts.items() if value})
        self.plain = plain

    def __missing__(self, key: str) -> str:
        return self.plain.get(key, "")


def fill(text: str, language: str, *, order_no: str | None = None, product: str | None = None) -> str:
    plain = PLAIN.get(language, PLAIN["en"])
    try:
        return text.format_map(_Slots({"order_no": order_no or "", "product": product or ""}, plain))
    except (ValueError, IndexError, KeyError):  # an instructor's own text with stray braces is kept as written
        return text
