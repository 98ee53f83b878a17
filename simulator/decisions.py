"""The buyers' decision rules, as plain functions of what the buyer knows; their numbers are data
(``data/behaviour.yaml``). Each rule returns the probability (or the value) together with the factors it was made of,
so a decision can be explained to a student ("paid: 0.62 = 0.6 x hour 1.0 x cadence 1.0 x content 1.0 ...").
The draws themselves are made by the caller, from the buyer's named stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from simulator import randomness as rnd
from simulator.assessment import Assessment
from simulator.journey import Experience
from simulator.population import Persona
from simulator.reference_data import behaviour


def _band(value: float, table: Sequence[Sequence[Any]]) -> float:
    """``[[up to, factor], ..., [None, factor]]``: the factor of the first row whose bound exceeds ``value``."""
    for bound, factor in table:
        if bound is None or value < bound:
            return float(factor)
    return float(table[-1][1])


def hour_factor(local_hour: float) -> float:
    for start, end, factor in behaviour()["reminder"]["local_hours"]:
        if start <= local_hour < end:
            return float(factor)
    return 1.0


def reminder_pay_probability(
    buyer: Persona,
    *,
    sent_at: datetime,
    placed_at: datetime,
    pay_by: datetime,
    previous_at: datetime | None,
    failure_reason: str | None,
    assessment: Assessment,
) -> tuple[float, dict[str, float]]:
    """Pay after a reminder = pay_after_reminder x hour x cadence x content (x language)."""
    rules = behaviour()["reminder"]
    local = buyer.local_time(sent_at)
    hour = hour_factor(local.hour + local.minute / 60)
    if previous_at is None:
        cadence = _band((sent_at - placed_at).total_seconds() / 60, rules["first_after_order"])
    else:
        cadence = _band((sent_at - previous_at).total_seconds() / 60, rules["after_previous"])
    low, high = rules["last_call_minutes"]
    if low <= (pay_by - sent_at).total_seconds() / 60 <= high:
        cadence = max(cadence, 1.0)
    content = rules["content_base"]
    if assessment.passed("order_facts"):
        content += rules["content_names_order"]
    second = assessment.passed("addresses_failure") if failure_reason else assessment.passed("greeting")
    if second:
        content += rules["content_addresses_reason"]
    if assessment.failed("forbidden"):
        content = 0.0
    language = 1.0 if assessment.passed("language") else rules["wrong_language"]
    base = buyer.propensity("pay_after_reminder")
    factors = {"base": base, "hour": hour, "cadence": cadence, "content": round(content, 3), "language": language}
    return _clip(base * hour * cadence * content * language), factors


def conversion_probability(
    buyer: Persona, *, wait_seconds: float, target_seconds: float, nudged: bool, assessment: Assessment
) -> tuple[float, dict[str, float]]:
    """Order after a pre-sale answer = base x speed x quality (x language)."""
    rules = behaviour()["conversion"]
    if nudged or wait_seconds > buyer.patience_seconds:
        speed = rules["after_patience"]
    elif wait_seconds <= target_seconds:
        speed = rules["within_target"]
    else:
        speed = rules["within_patience"]
    quality = rules["quality_floor"] + (1 - rules["quality_floor"]) * assessment.score
    language = 1.0 if assessment.passed("language") else rules["wrong_language"]
    factors = {"base": rules["base"], "speed": speed, "quality": round(quality, 3), "language": language}
    return _clip(rules["base"] * speed * quality * language), factors


def impatience_action(buyer: Persona, seed: int | str, *parts: object) -> str:
    """What a buyer whose wait passed their patience does: complain (their complain propensity), else nudge or leave
    by their temperament's shares."""
    if rnd.chance(buyer.propensity("complain"), seed, *parts, "complain"):
        return "complain"
    return rnd.weighted(dict(buyer.impatience), seed, *parts, "nudge_or_leave")


def _luck(table: Sequence[float], seed: int | str, *parts: object) -> int:
    low, high = table
    draw = rnd.draw(seed, *parts, "luck")
    return -1 if draw < low else (1 if draw > high else 0)


def csat_score(buyer: Persona, experience: Experience, target_seconds: float, seed: int | str, *parts: object) -> int:
    """The buyer's rating of a resolved conversation: 5 less the penalties of what they went through, plus luck."""
    rules = behaviour()["csat"]
    score = 5
    first = experience.first_reply_seconds
    if first is not None and first > target_seconds:
        score -= rules["slow_first_reply"]
    if first is not None and first > buyer.patience_seconds:
        score -= rules["beyond_patience"]
    mean = experience.mean_score
    if mean is not None and mean < rules["poor_score"]:
        score -= rules["poor_answers"]
    if experience.apology_missing:
        score -= rules["missing_apology"]
    if experience.solved is False:
        score -= rules["unsolved"]
    return max(1, min(5, score + _luck(rules["luck"], seed, *parts)))


def review_scores(
    buyer: Persona, experience: Experience, seed: int | str, *parts: object
) -> tuple[int, dict[str, int]]:
    """Dimension scores (as described, service, logistics) from the journey; stars from their mean, less the buyer's
    strictness, plus luck."""
    rules = behaviour()["review"]
    logistics = 5
    if experience.late_ratio is not None and experience.late_ratio > 1:
        logistics -= rules["late_delivery"]
        if experience.late_ratio > rules["very_late_factor"]:
            logistics -= 1
    if experience.parcel_exception:
        logistics -= rules["parcel_exception"]
    service = 5 - rules["slow_reply"] * min(experience.rounds_over_patience, 2)
    described = 5
    if experience.rule_broken:
        service -= rules["rude_reply"]
    if experience.problem and experience.problem != "not_received":
        described -= rules["had_problem"]
    if experience.solved is False:
        described -= rules["unsolved"]
        service -= rules["unsolved"]
    if experience.disputed:
        service -= rules["dispute"]
    scores = {
        name: max(1, min(5, value))
        for name, value in {"as_described": described, "service": service, "logistics": logistics}.items()
    }
    mean = sum(scores.values()) / 3
    stars = round(mean) - buyer.strictness + _luck(rules["luck"], seed, *parts)
    return max(1, min(5, stars)), scores


def review_probability(buyer: Persona, stars: int, profile: Mapping[str, Any]) -> float:
    boost = behaviour()["review"]["bad_review_boost"] if stars <= profile["reviews"]["negative_max_stars"] else 1.0
    return _clip(buyer.propensity("review") * boost)


def revise_probability(buyer: Persona, assessment: Assessment, solved: bool) -> tuple[float, dict[str, float]]:
    """Revise a bad review after a contact = revise x content x solved."""
    rules = behaviour()["revise"]
    content = rules["content_floor"] + (1 - rules["content_floor"]) * assessment.score
    offered = assessment.passed("solution")
    solved_factor = 1.0 if solved or offered else rules["unsolved"]
    base = buyer.propensity("revise")
    if assessment.failed("forbidden"):
        content = 0.0  # a contact offering money for the review, or abusive: never revised
    factors = {"base": base, "content": round(content, 3), "solved": solved_factor}
    return _clip(base * content * solved_factor), factors


def revised_stars(old: int) -> int:
    return max(old + 1, int(behaviour()["revise"]["stars_when_solved"]))


def dispute_probability_after_rejection(buyer: Persona, note: Assessment | None) -> float:
    floor = behaviour()["after_sale"]["dispute_after_rejection_floor"]
    score = note.score if note else 0.0
    return _clip(buyer.propensity("dispute") * (1.2 - floor * score))


def dispute_probability_when_ignored(buyer: Persona) -> float:
    return _clip(buyer.propensity("dispute") * behaviour()["after_sale"]["dispute_when_ignored"])


def accepts_proposal(buyer: Persona, proposal: str, amount: float, asked: float) -> bool:
    """Full refunds and returns are accepted; a partial refund if it reaches the buyer's least share; a rejection
    never (the buyer lets the platform decide)."""
    if proposal in ("full_refund", "return_and_refund"):
        return True
    if proposal == "partial_refund" and asked > 0:
        return amount / asked >= buyer.accept_partial_share
    return False


def care_repurchase_probability(buyer: Persona, assessment: Assessment) -> float:
    boost = behaviour()["care"]["repurchase_boost"]
    return _clip(buyer.propensity("repurchase") * (1 + boost * assessment.score))


def _clip(probability: float) -> float:
    return round(max(0.0, min(1.0, probability)), 4)
