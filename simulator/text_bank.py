"""What buyers write: pre-sale questions per product category, after-sale messages, angry messages, reviews.

The texts are data (``simulator/texts/<language>.yaml``), written for this project. A section a language lacks is
taken from English, so a Spanish buyer without a Spanish text for a case writes English rather than nothing. Which
text a buyer writes is a draw named like every other decision, so the same buyer writes the same words in every shop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator import randomness as rnd
from simulator.reference_data import texts

FALLBACK = "en"


@dataclass(frozen=True)
class Question:
    text: str
    topic: str
    expects: tuple[str, ...]  # words an answer on the topic would use


class _Slots(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, slots: Mapping[str, Any]) -> str:
    return template.format_map(_Slots({key: value for key, value in slots.items() if value is not None}))


def _section(language: str, path: Sequence[str | int]) -> Any:
    for source in (language, FALLBACK):
        node: Any = texts(source)
        for step in path:
            if not isinstance(node, Mapping) or step not in node:
                node = None
                break
            node = node[step]
        if node:
            return node
    raise KeyError(f"no buyer text for {'/'.join(map(str, path))} in {language} or {FALLBACK}")


def has_section(language: str, *path: str | int) -> bool:
    try:
        _section(language, path)
    except KeyError:
        return False
    return True


def message(language: str, path: Sequence[str | int], slots: Mapping[str, Any], seed: int | str, *parts: object) -> str:
    """One text of the section ``path`` (e.g. ``("problem", "damaged")``), its slots filled."""
    options = _section(language, path)
    return fill(rnd.pick(list(options), seed, *parts, "text", *path), slots)


def question(language: str, category: str, slots: Mapping[str, Any], seed: int | str, *parts: object) -> Question:
    """A pre-sale question about a product of ``category``: the category's own questions and the general ones."""
    presale = _section(language, ("presale",))
    pool = list(presale.get(category, [])) + list(presale.get("_any", []))
    chosen = rnd.pick(pool, seed, *parts, "question")
    return Question(fill(chosen["text"], slots), chosen["topic"], expects(language, chosen["topic"]))


def expects(language: str, topic: str) -> tuple[str, ...]:
    topics = _section(language, ("topics",))
    words = topics.get(topic) or texts(FALLBACK)["topics"].get(topic, [])
    return tuple(str(word) for word in words)


def review_text(
    language: str, stars: int, category: str, slots: Mapping[str, Any], seed: int | str, *parts: object
) -> str:
    if stars == 1:
        return one_star_text(language, category, slots, seed, *parts)
    return message(language, ("review", stars), slots, seed, *parts)


def one_star_text(language: str, category: str, slots: Mapping[str, Any], seed: int | str, *parts: object) -> str:
    """A realistic one-star review: the category's own complaints and the general ones (also for injections). A
    language without its own one-star texts takes its plain one-star review before falling back to English."""
    for source in (language, FALLBACK):
        own = texts(source)
        one_star = own.get("one_star") or {}
        pool = list(one_star.get(category, [])) + list(one_star.get("_any", []))
        if pool:
            return fill(rnd.pick(pool, seed, *parts, "one_star"), slots)
        if (own.get("review") or {}).get(1):
            return fill(rnd.pick(own["review"][1], seed, *parts, "one_star"), slots)
    raise KeyError(f"no one-star review text in {language} or {FALLBACK}")


def product_name(product: Mapping[str, Any], language: str) -> str:
    if language == "zh" and product.get("title_zh"):
        return str(product["title_zh"])
    return str(product.get("title") or product.get("title_zh") or "")
