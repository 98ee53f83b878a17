"""Which language a reply is written in, told from its letters: Han characters, kana and Cyrillic by their share;
Latin-letter languages by their most frequent small words (``stopwords`` of each lexicon) and a few letters only one
of them uses. Returns the language and the evidence it rests on."""

from __future__ import annotations

import re

from simulator.assessment.words import LANGUAGES, lexicon, rubric

_TOKEN = re.compile(r"[A-Za-zÀ-ÿß']+")
_MARKS = {"es": "ñ¿¡", "de": "ßäöü", "fr": "çèêëœàâîû"}


def _counts(text: str) -> dict[str, int]:
    counts = {"han": 0, "kana": 0, "cyrillic": 0, "latin": 0}
    for char in text:
        code = ord(char)
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif char.isalpha() and (char.isascii() or 0x00C0 <= code <= 0x024F):
            counts["latin"] += 1
    return counts


def detect_language(text: str) -> tuple[str, str]:
    """(language code or "unknown", evidence in a few words)."""
    counts = _counts(text)
    letters = sum(counts.values())
    if not letters:
        return "unknown", "no letters"
    shares = rubric()["detection"]
    cjk = counts["han"] + counts["kana"]
    if cjk / letters >= shares["han_share"]:
        if counts["kana"] / cjk >= shares["kana_share_of_cjk"]:
            return "ja", f"kana {counts['kana']} of {cjk} CJK characters"
        return "zh", f"Han characters {round(100 * cjk / letters)}% of letters"
    if counts["cyrillic"] / letters >= shares["cyrillic_share"]:
        return "ru", f"Cyrillic {round(100 * counts['cyrillic'] / letters)}% of letters"
    return _latin_language(text)


def _latin_language(text: str) -> tuple[str, str]:
    tokens = [token.lower() for token in _TOKEN.findall(text)]
    lowered = text.lower()
    scores: dict[str, tuple[float, list[str]]] = {}
    for language in LANGUAGES:
        words = lexicon(language)
        if words.get("script") != "latin":
            continue
        stop = set(words.get("stopwords", []))
        hits = sorted({token for token in tokens if token in stop})
        marks = [mark for mark in _MARKS.get(language, "") if mark in lowered]
        scores[language] = (len([t for t in tokens if t in stop]) + 0.5 * len(marks), hits + marks)
    best = max(scores.values(), key=lambda item: item[0]) if scores else (0, [])
    if best[0] <= 0:
        return "unknown", "no known small words"
    leaders = [language for language, score in scores.items() if score[0] == best[0]]
    language = "en" if "en" in leaders else sorted(leaders)[0]
    return language, "small words: " + ", ".join(scores[language][1][:6])
