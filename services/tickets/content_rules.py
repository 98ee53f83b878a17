"""Platform-rule checks on a reply before it is sent: the profile's forbidden words and patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shoplab.errors import InvalidInput


@dataclass(frozen=True)
class Violation:
    rule_id: str
    action: str  # refuse | warn
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


@lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    # Latin words match whole words only ("liar" must not fire on "familiar"); Chinese has no spaces to bound by.
    left = r"(?<![0-9A-Za-z])" if word[:1].isascii() and word[:1].isalnum() else ""
    right = r"(?![0-9A-Za-z])" if word[-1:].isascii() and word[-1:].isalnum() else ""
    return re.compile(left + re.escape(word) + right, re.IGNORECASE)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def check_reply(text: str, rules: list[dict[str, Any]]) -> list[Violation]:
    """Every rule the text breaks, with the words or fragments that broke it, in the profile's order."""
    found: list[Violation] = []
    for rule in rules:
        matched: list[str] = []
        for word in rule.get("words", []):
            hit = _word_pattern(word).search(text)
            if hit and hit.group(0) not in matched:
                matched.append(hit.group(0))
        for pattern in rule.get("patterns", []):
            for hit in _regex(pattern).finditer(text):
                if hit.group(0) not in matched:
                    matched.append(hit.group(0))
        if matched:
            found.append(
                Violation(
                    rule_id=rule["id"],
                    action=rule["action"],
                    description=rule.get("description", ""),
                    description_zh=rule.get("description_zh", ""),
                    matched=tuple(matched),
                )
            )
    return found


def screen_reply(text: str, rules: list[dict[str, Any]]) -> list[Violation]:
    """Refuse a reply that breaks a ``refuse`` rule (422 naming the rules and words); return the warnings."""
    violations = check_reply(text, rules)
    refused = [v for v in violations if v.action == "refuse"]
    if refused:
        raise InvalidInput(
            "the reply breaks the platform's rules and was not sent",
            {"body": [f"{v.rule_id}: {', '.join(v.matched)}" for v in refused]},
            violations=[v.to_dict() for v in refused],
        )
    return [v for v in violations if v.action == "warn"]
