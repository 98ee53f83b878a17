"""A platform profile's review rules (its ``reviews`` section), read once into a typed policy: the rating class of
some stars, and every window, measured on the shop's clock.

| window | opens at | profile key |
|---|---|---|
| review (one per order line) | the order's delivery | ``review_window_days`` |
| follow-up review (追评, once) | the order's delivery | ``follow_up_window_days`` |
| revision (once, neutral/negative only) | the review's posting | ``revise_window_days`` |
| the shop's first reply | the review's posting | ``reply_window_days`` |
| editing that reply | the first reply | ``reply_edit_window_hours`` |
| a removal request | the review's posting | ``removal_request_window_days`` |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
RATINGS = (POSITIVE, NEUTRAL, NEGATIVE)
RANK = {NEGATIVE: 0, NEUTRAL: 1, POSITIVE: 2}  # a class is "better" than another when its rank is higher
DIMENSIONS = ("as_described", "service", "logistics")


@dataclass(frozen=True)
class ReviewPolicy:
    scale: int
    positive_min_stars: int
    negative_max_stars: int
    review_window: timedelta
    follow_up_window: timedelta
    revise_window: timedelta
    revisable: frozenset[str]
    reply_window: timedelta
    reply_edit_window: timedelta
    removal_request_window: timedelta
    closed_by_full_refund: bool
    max_contact_attempts: int
    text_max_chars: int
    max_photos: int
    dsr_window_days: int
    dimensions: tuple[str, ...]
    removal_rules: tuple[dict[str, Any], ...]

    @classmethod
    def of(cls, profile: dict[str, Any]) -> ReviewPolicy:
        """The policy of a profile; a profile missing a key or naming an unknown class or dimension is refused."""
        rules = profile["reviews"]
        policy = cls(
            scale=int(rules["scale"]),
            positive_min_stars=int(rules["positive_min_stars"]),
            negative_max_stars=int(rules["negative_max_stars"]),
            review_window=timedelta(days=rules["review_window_days"]),
            follow_up_window=timedelta(days=rules["follow_up_window_days"]),
            revise_window=timedelta(days=rules["revise_window_days"]),
            revisable=frozenset(rules["revisable"]),
            reply_window=timedelta(days=rules["reply_window_days"]),
            reply_edit_window=timedelta(hours=rules["reply_edit_window_hours"]),
            removal_request_window=timedelta(days=rules["removal_request_window_days"]),
            closed_by_full_refund=bool(rules["closed_by_full_refund"]),
            max_contact_attempts=int(rules["max_contact_attempts"]),
            text_max_chars=int(rules["text_max_chars"]),
            max_photos=int(rules["max_photos"]),
            dsr_window_days=int(rules["dsr_window_days"]),
            dimensions=tuple(rules["dimensions"]),
            removal_rules=tuple(rules["removal_rules"]),
        )
        if not 1 <= policy.negative_max_stars < policy.positive_min_stars <= policy.scale:
            raise ValueError(f"{profile['code']}: review classes must be 1 ≤ negative < positive ≤ scale")
        if not policy.revisable <= set(RATINGS) or not set(policy.dimensions) <= set(DIMENSIONS):
            raise ValueError(f"{profile['code']}: unknown rating class or dimension in its reviews section")
        return policy

    def rating_of(self, stars: int) -> str:
        """好评 / 中评 / 差评 (positive / neutral / negative) of some stars, by the profile's thresholds."""
        if stars >= self.positive_min_stars:
            return POSITIVE
        if stars <= self.negative_max_stars:
            return NEGATIVE
        return NEUTRAL

    def removal_rule(self, rule_id: str) -> dict[str, Any] | None:
        return next((rule for rule in self.removal_rules if rule["id"] == rule_id), None)


def better(new: str, old: str) -> bool:
    return RANK[new] > RANK[old]


def direction(old_stars: int, new_stars: int) -> str:
    return "up" if new_stars > old_stars else "down" if new_stars < old_stars else "same"


def window_open(opened_at: datetime, window: timedelta, now: datetime) -> bool:
    """A window is open from its start, up to (not including) start + length."""
    return now < opened_at + window
