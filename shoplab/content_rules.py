"""The platform-rule checker: a text against a list of rules given as data (a profile's ``forbidden_content`` for
replies, its ``reviews.removal_rules`` for removal requests), saying which rule it breaks and with which words.

A rule is ``{id, action, description, description_zh, words, patterns, unless_words}``:

- ``words`` match case-insensitively; a Latin word matches whole words only ("liar" must not fire on "familiar"),
  a Chinese one anywhere (Chinese has no spaces to bound words by);
- ``patterns`` are regular expressions (e-mail addresses, phone numbers, links);
- ``unless_words`` (optional) keep the rule from firing when any of them is in the text: "a product review left as
  seller feedback" is a text about the product that says nothing about the seller.

**Facts a text may quote** (``quotable``): the caller may name the codes the text is allowed to repeat — a reply
names its conversation's own order number and tracking number — and the checker reads the text without them. Why
the checker and not only the patterns: the profiles' phone pattern asks for a phone's shape (8 to 15 digits, see
``shoplab/profiles/aliexpress.yaml``), which keeps 18-digit order numbers and lettered tracking numbers out, but a
DHL (10 digits) or FedEx (12 or 15 digits) tracking number *is* a phone's shape, and no pattern can tell
"4490 4430 4137" the parcel from 4490 4430 4137 the phone; only knowing the conversation's own parcel can. A quoted
fact matches however the writer spaced it ("4490 4430 4137", "4490-4430-4137") and in any letter case, but only
as a whole code (not inside a longer run of digits or letters); it is taken out before every rule is checked,
so nothing it contains can break one. Facts shorter than six characters are not exempted (they could hide
anything).

Used by every service that checks text against a platform's rules (tickets' replies, reviews' replies and removal
requests), so they all judge the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shoplab.errors import InvalidInput

Rule = dict[str, Any]


@dataclass(frozen=True)
class Violation:
    rule_id: str
    action: str  # refuse | warn for replies; remove for removal rules
    description: str
    description_zh: str
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "action": self.action,
            "description": self.description,
            "description_zh": self.description_zh,
            "matched": list(self.matched),
        }


@lru_cache(maxsize=1024)
def _word_pattern(word: str) -> re.Pattern[str]:
    left = r"(?<![0-9A-Za-z])" if word[:1].isascii() and word[:1].isalnum() else ""
    right = r"(?![0-9A-Za-z])" if word[-1:].isascii() and word[-1:].isalnum() else ""
    return re.compile(left + re.escape(word) + right, re.IGNORECASE)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


MIN_QUOTABLE = 6  # characters (letters and digits) of a fact before it may be quoted freely
_SEPARATORS = r"[\s./-]?"


@lru_cache(maxsize=512)
def _fact_pattern(code: str) -> re.Pattern[str]:
    """The fact as a whole code, however the writer spaced it: one optional separator between its characters."""
    inner = _SEPARATORS.join(re.escape(char) for char in code)
    return re.compile(rf"(?<![0-9A-Za-z]){inner}(?![0-9A-Za-z])", re.IGNORECASE)


def without_quotes(text: str, quotable: Iterable[str | None]) -> str:
    """``text`` with every quotable fact (order number, tracking number ...) taken out (a space stands in)."""
    for fact in quotable:
        code = re.sub(r"[^0-9A-Za-z]", "", fact or "")
        if len(code) >= MIN_QUOTABLE:
            text = _fact_pattern(code).sub(" ", text)
    return text


def _words_found(text: str, words: Iterable[str]) -> list[str]:
    found: list[str] = []
    for word in words:
        hit = _word_pattern(word).search(text)
        if hit and hit.group(0) not in found:
            found.append(hit.group(0))
    return found


def check_rule(text: str, rule: Rule, quotable: Iterable[str | None] = ()) -> Violation | None:
    """The rule's violation by ``text`` (the words and fragments that broke it), or None; ``quotable``: the facts the
    text may repeat (see the module's docstring)."""
    text = without_quotes(text, quotable)
    matched = _words_found(text, rule.get("words", []))
    for pattern in rule.get("patterns", []):
        for hit in _regex(pattern).finditer(text):
            if hit.group(0) not in matched:
                matched.append(hit.group(0))
    if not matched or _words_found(text, rule.get("unless_words", [])):
        return None
    return Violation(
        rule_id=rule["id"],
        action=rule.get("action", ""),
        description=rule.get("description", ""),
        description_zh=rule.get("description_zh", ""),
        matched=tuple(matched),
    )


def check_text(text: str, rules: list[Rule], quotable: Iterable[str | None] = ()) -> list[Violation]:
    """Every rule the text breaks, with the words or fragments that broke it, in the rules' order."""
    text = without_quotes(text, quotable)
    return [violation for rule in rules if (violation := check_rule(text, rule)) is not None]


def screen(
    text: str,
    rules: list[Rule],
    *,
    field: str = "body",
    what: str = "reply",
    quotable: Iterable[str | None] = (),
) -> list[Violation]:
    """Refuse a text that breaks a ``refuse`` rule (422 naming ``field``, the rules and the words); return the
    warnings of the ``warn`` rules it breaks. ``quotable``: the facts the text may repeat."""
    violations = check_text(text, rules, quotable)
    refused = [v for v in violations if v.action == "refuse"]
    if refused:
        raise InvalidInput(
            f"the {what} breaks the platform's rules and was not sent",
            {field: [f"{v.rule_id}: {', '.join(v.matched)}" for v in refused]},
            violations=[v.to_dict() for v in refused],
        )
    return [v for v in violations if v.action == "warn"]
