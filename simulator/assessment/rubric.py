"""The reply rubric: each item passes or fails with its evidence (the words found, or what is missing).

Items: greeting, addressing the buyer, the order's facts, answering the question, apology when due, a concrete
solution with a time frame, addressing a payment failure, closing, the buyer's language, and the platform's forbidden
words. An item that does not apply is ``n/a``; an optional item (a closing in a chat round) that is present passes and
one that is absent is ``n/a``. Words are data (``lexicon/<language>.yaml``); nothing here calls a network model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.assessment.context import FACT_GROUPS, ReplyContext
from simulator.assessment.facts import named_facts
from simulator.assessment.language import detect_language
from simulator.assessment.words import (
    LANGUAGES,
    find_first,
    find_patterns,
    find_words,
    forbidden_hits,
    lexicon,
    rubric,
)

PASS, FAIL, NA, WARN = "pass", "fail", "n/a", "warn"  # warn: only a platform "warn" rule broken; scored as a pass


@dataclass(frozen=True)
class ItemResult:
    item: str
    status: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "status": self.status, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Assessment:
    items: tuple[ItemResult, ...]
    score: float  # 0..1: weighted share of applicable items passed, capped by grave faults
    language: str  # the language the reply was written in

    def item(self, name: str) -> ItemResult:
        return next(result for result in self.items if result.item == name)

    def passed(self, name: str) -> bool:
        return self.item(name).status == PASS

    def failed(self, name: str) -> bool:
        return self.item(name).status == FAIL

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "language": self.language, "items": [item.to_dict() for item in self.items]}


def assess(text: str, context: ReplyContext) -> Assessment:
    """Check one reply against the rubric for what the buyer knows (``context``)."""
    detected, detection_evidence = detect_language(text)
    words = _words_for(context.language, detected)
    greeting = find_first(text[: words["greeting_window"]], words["greeting"])
    checks: list[Callable[[], ItemResult]] = [
        lambda: _greeting(greeting, context),
        lambda: _addressing(text, context, words),
        lambda: _order_facts(text, context),
        lambda: _answers_question(text, context),
        lambda: _apology(text, context, words),
        lambda: _solution(text, context, words),
        lambda: _addresses_failure(text, context, words),
        lambda: _closing(text, greeting.end() if greeting else 0, context, words),
        lambda: _language(detected, detection_evidence, context),
        lambda: _forbidden(text, context),
    ]
    items = tuple(check() for check in checks)
    return Assessment(items=items, score=_score(items), language=detected)


def _words_for(language: str, detected: str) -> dict[str, Any]:
    """The buyer's language's words; a reply written in another rubric language is also read with that language's
    words, so a greeting in the wrong language is still a greeting (the language item fails on its own)."""
    words = lexicon(language)
    if detected == language or detected not in LANGUAGES:
        return words
    other = lexicon(detected)
    merged = dict(words)
    for key, value in other.items():
        if isinstance(value, list) and isinstance(words.get(key), list):
            merged[key] = words[key] + [entry for entry in value if entry not in words[key]]
    merged["failure_reason"] = {
        reason: words.get("failure_reason", {}).get(reason, []) + other.get("failure_reason", {}).get(reason, [])
        for reason in set(words.get("failure_reason", {})) | set(other.get("failure_reason", {}))
    }
    return merged


def _score(items: tuple[ItemResult, ...]) -> float:
    weights = rubric()["weights"]
    applicable = [item for item in items if item.status != NA]
    total = sum(weights[item.item] for item in applicable)
    if not total:
        return 1.0
    score = sum(weights[item.item] for item in applicable if item.status in (PASS, WARN)) / total
    for name, cap in rubric()["caps"].items():
        if any(item.item == name and item.status == FAIL for item in items):
            score = min(score, cap)
    return round(score, 4)


def _optional(item: str, due: bool, found: list[str], missing: str) -> ItemResult:
    if found:
        return ItemResult(item, PASS, tuple(found))
    return ItemResult(item, FAIL if due else NA, (missing,) if due else ())


def _greeting(match: Any, context: ReplyContext) -> ItemResult:
    return _optional("greeting", context.opens, [match.group(0)] if match else [], "no greeting at the start")


def _addressing(text: str, context: ReplyContext, words: dict[str, Any]) -> ItemResult:
    names = [name for name in context.buyer_names if name and name.lower() in text.lower()]
    found = names[:1] or find_words(text, words.get("address_terms", []))
    return _optional("addressing", context.opens, found, "neither the buyer's name nor a polite form of address")


def _order_facts(text: str, context: ReplyContext) -> ItemResult:
    if not context.facts_due:
        return ItemResult("order_facts", NA, ())
    found = named_facts(text, context.facts)
    evidence: list[str] = []
    missing: list[str] = []
    for group in context.facts_due:
        hits = [f"{fact}: {found[fact]}" for fact in FACT_GROUPS[group] if fact in found]
        if hits:
            evidence.extend(hits)
        else:
            wanted = [f"{fact} {context.facts[fact]}" for fact in FACT_GROUPS[group] if context.facts.get(fact)]
            missing.append("missing " + (" or ".join(wanted) or group))
    return ItemResult("order_facts", FAIL if missing else PASS, tuple(evidence + missing))


def _answers_question(text: str, context: ReplyContext) -> ItemResult:
    if not context.expects:
        return ItemResult("answers_question", NA, ())
    found = find_words(text, context.expects)
    topic = context.question_topic or "the question"
    return _optional("answers_question", True, found, f"nothing on {topic}")


def _apology(text: str, context: ReplyContext, words: dict[str, Any]) -> ItemResult:
    return _optional("apology", context.apology_due, find_words(text, words["apology"]), "no apology")


def _solution(text: str, context: ReplyContext, words: dict[str, Any]) -> ItemResult:
    actions = find_words(text, words["solution"])
    times = find_patterns(text, words["time_frame"])
    if not context.solution_due and not (actions and times):
        return ItemResult("solution", NA, ())
    if actions and times:
        return ItemResult("solution", PASS, tuple(actions + times))
    evidence = [f"solution: {', '.join(actions)}"] if actions else ["no concrete solution"]
    if not times:
        vague = find_words(text, words.get("vague_time", []))
        evidence.append("no time frame" + (f" (vague: {', '.join(vague)})" if vague else ""))
    return ItemResult("solution", FAIL, tuple(evidence))


def _addresses_failure(text: str, context: ReplyContext, words: dict[str, Any]) -> ItemResult:
    if not context.failure_reason:
        return ItemResult("addresses_failure", NA, ())
    found = find_words(text, words.get("failure_reason", {}).get(context.failure_reason, []))
    return _optional("addresses_failure", True, found, f"nothing on the failure: {context.failure_reason}")


def _closing(text: str, after: int, context: ReplyContext, words: dict[str, Any]) -> ItemResult:
    tail_start = max(after, len(text) - words["closing_window"])
    found = find_words(text[tail_start:], words["closing"])
    return _optional("closing", context.standalone, found, "no closing")


def _language(detected: str, evidence: str, context: ReplyContext) -> ItemResult:
    status = PASS if detected == context.language else FAIL
    return ItemResult("language", status, (f"{detected} ({evidence}); the buyer writes {context.language}",))


def _forbidden(text: str, context: ReplyContext) -> ItemResult:
    """The profile's forbidden content. The order's own numbers are not contact details: quoting the order or the
    tracking number is good service, though a long run of digits looks like a phone number to the platform's
    pattern."""
    own = {_digits(str(context.facts.get(fact) or "")) for fact in ("order_no", "tracking_no")} - {""}
    hits = []
    for rule, action, found in forbidden_hits(text, context.forbidden_rules):
        kept = [fragment for fragment in found if not (own and _digits(fragment) in own)]
        if kept:
            hits.append((rule, action, kept))
    if not hits:
        return ItemResult("forbidden", PASS, ())
    status = FAIL if any(action == "refuse" for _rule, action, _found in hits) else WARN
    return ItemResult(
        "forbidden", status, tuple(f"{rule} ({action}): {', '.join(found)}" for rule, action, found in hits)
    )


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isalnum())
