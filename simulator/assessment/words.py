"""The rubric's data (``rubric.yaml``, ``lexicon/<language>.yaml``) and how words are found in a reply.

Words written in Latin letters match whole words, case-insensitively ("sorry" does not fire on "sorrow", "liar" not
on "familiar"); a short word written in capitals ("M", "UK") matches only in capitals, so a size "M" is not found in
"I'm"; Chinese words match anywhere, having no spaces to bound them. The same rule as the platform's forbidden-word
check in the tickets service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LANGUAGES = ("zh", "en", "es", "fr", "de")


@cache
def rubric() -> dict[str, Any]:
    return yaml.safe_load((HERE / "rubric.yaml").read_text(encoding="utf-8"))


@cache
def lexicon(language: str) -> dict[str, Any]:
    """The rubric's words for ``language``; a language without its own file is judged with English words."""
    path = HERE / "lexicon" / f"{language}.yaml"
    if not path.is_file():
        path = HERE / "lexicon" / "en.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum() or char in "àâäáçéèêëíìîïñóòôöúùûüßœæ"


@lru_cache(maxsize=4096)
def word_pattern(word: str) -> re.Pattern[str]:
    left = r"(?<![0-9A-Za-zÀ-ÿß])" if _is_word_char(word[:1].lower()) else ""
    right = r"(?![0-9A-Za-zÀ-ÿß])" if _is_word_char(word[-1:].lower()) else ""
    flags = 0 if (len(word) <= 3 and word.isupper()) else re.IGNORECASE
    return re.compile(left + re.escape(word) + right, flags)


@lru_cache(maxsize=1024)
def regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def find_words(text: str, words: Iterable[str]) -> list[str]:
    """The words of ``words`` found in ``text``, as written in the text, in the order of ``words``; a word found only
    inside a longer one already found ("soon" in "as soon as possible") is not counted again."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for word in words:
        for hit in word_pattern(str(word)).finditer(text):
            if hit.group(0) in found or any(start <= hit.start() and hit.end() <= end for start, end in spans):
                continue
            found.append(hit.group(0))
            spans.append(hit.span())
            break
    return found


def find_first(text: str, words: Iterable[str]) -> re.Match[str] | None:
    """The earliest match of any of ``words``."""
    best: re.Match[str] | None = None
    for word in words:
        hit = word_pattern(str(word)).search(text)
        if hit and (best is None or hit.start() < best.start()):
            best = hit
    return best


def find_patterns(text: str, patterns: Iterable[str]) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        for hit in regex(pattern).finditer(text):
            if hit.group(0) not in found:
                found.append(hit.group(0))
    return found


def forbidden_hits(text: str, rules: Iterable[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """(rule id, action, matched words) for every rule of a profile's ``forbidden_content`` the text breaks."""
    hits: list[tuple[str, str, list[str]]] = []
    for rule in rules:
        matched = find_words(text, rule.get("words", []))
        for fragment in find_patterns(text, rule.get("patterns", [])):
            if fragment not in matched:
                matched.append(fragment)
        if matched:
            hits.append((rule["id"], rule.get("action", "refuse"), matched))
    return hits
