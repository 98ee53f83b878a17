"""The platform-rule checker: a text against a list of rules given as data (a profile's ``forbidden_content`` for
replies, its ``reviews.removal_rules`` for removal requests), saying which rule it breaks and with which words.

A rule is ``{id, action, description, description_zh, words, patterns, unless_words}``:

- ``words`` match case-insensitively; a Latin word matches whole words only ("liar" must not fire on "familiar"),
  a Chinese one anywhere (Chinese has no spaces to bound words by);
- ``patterns`` are regular expressions (e-mail addresses, phone numbers, links);
- ``unless_words`` (optional) keep the rule from firing when any of them is in the text: "a product review left as
  seller feedback" is a text about the product that says nothing about the seller.

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


def _words_found(text: str, words: Iterable[str]) -> list[str]:
    found: list[str] = []
    for word in words:
        hit = _word_pattern(word).search(text)
        if hit and hit.group(0) not in found:
            found.append(hit.group(0))
    return found


def check_rule(text: str, rule: Rule) -> Violation | None:
    """The rule's violation by ``text`` (the words and fragments that broke it), or None."""
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


def check_text(text: str, rules: list[Rule]) -> list[Violation]:
    """Every rule the text breaks, with the words or fragments that broke it, in the rules' order."""
    return [violation for rule in rules if (violation := check_rule(text, rule)) is not None]


def screen(text: str, rules: list[Rule], *, field: str = "body", what: str = "reply") -> list[Violation]:
    """Refuse a text that breaks a ``refuse`` rule (422 naming ``field``, the rules and the words); return the
    warnings of the ``warn`` rules it breaks."""
    violations = check_text(text, rules)
    refused = [v for v in violations if v.action == "refuse"]
    if refused:
        raise InvalidInput(
            f"the {what} breaks the platform's rules and was not sent",
            {field: [f"{v.rule_id}: {', '.join(v.matched)}" for v in refused]},
            violations=[v.to_dict() for v in refused],
        )
    return [v for v in violations if v.action == "warn"]


# The names tickets uses today (services/tickets/content_rules.py, to be replaced by this module).
check_reply = check_text
screen_reply = screen
