"""Automatic tags as data: a rule is a tag and conditions on a customer's facts (the profile's ``crm.tag_rules``).

Plain Python, no database: the facts are read off a customer row, the shop's now is given. Conditions on time
(``days_since_*``) change truth as the shop's clock runs, so :func:`next_change` says when a rule's answer may
change with no event at all; the ``crm.apply_time_rules`` timer looks again then.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.crm.crm_profile import TIME_METRICS

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
# each time metric counts days from one of the customer's moments
_ANCHORS = {
    "days_since_first_purchase": "first_purchase_at",
    "days_since_last_purchase": "last_purchase_at",
    "days_since_first_order": "first_order_at",
}


class CustomerFacts(Protocol):
    """What rules read of a customer (a ``services.crm.models.Customer`` row has all of it)."""

    frequency: int
    monetary_cents: int
    orders: int
    paid_orders: int
    paid_cents: int
    refunded_orders: int
    returns: int
    disputes: int
    disputes_lost: int
    reviews: int
    stars_total: int
    negative_reviews: int
    conversations: int
    csat_ratings: int
    csat_total: int
    blacklisted: bool
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    first_order_at: datetime | None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _days_since(moment: datetime | None, now: datetime) -> float | None:
    return (now - moment).total_seconds() / 86400 if moment is not None else None


def metrics_of(customer: CustomerFacts, grade_level: int, now: datetime) -> dict[str, Any]:
    """Every metric a rule may name; ``None`` where it is undefined (no reviews: no average), which no condition
    meets."""
    return {
        "purchases": customer.frequency,
        "spent": customer.monetary_cents,
        "orders": customer.orders,
        "paid_orders": customer.paid_orders,
        "paid": customer.paid_cents,
        "refunded_orders": customer.refunded_orders,
        "refund_rate": _ratio(customer.refunded_orders, customer.paid_orders),
        "returns": customer.returns,
        "disputes": customer.disputes,
        "disputes_lost": customer.disputes_lost,
        "dispute_rate": _ratio(customer.disputes, customer.paid_orders),
        "reviews": customer.reviews,
        "negative_reviews": customer.negative_reviews,
        "average_stars": _ratio(customer.stars_total, customer.reviews),
        "conversations": customer.conversations,
        "csat_average": _ratio(customer.csat_total, customer.csat_ratings),
        "grade_level": grade_level,
        "blacklisted": int(bool(customer.blacklisted)),
        **{metric: _days_since(getattr(customer, anchor), now) for metric, anchor in _ANCHORS.items()},
    }


def _meets(condition: dict[str, Any], metrics: dict[str, Any]) -> bool:
    value = metrics[condition["metric"]]
    return value is not None and _OPS[condition["op"]](value, condition["value"])


def matches(rule: dict[str, Any], metrics: dict[str, Any]) -> bool:
    """``all`` conditions hold and, when ``any`` is given, at least one of those."""
    if not all(_meets(condition, metrics) for condition in rule["all"]):
        return False
    return not rule["any"] or any(_meets(condition, metrics) for condition in rule["any"])


def tags_for(rules: Iterable[dict[str, Any]], metrics: dict[str, Any]) -> set[str]:
    return {rule["tag"] for rule in rules if matches(rule, metrics)}


def next_change(rules: Iterable[dict[str, Any]], customer: CustomerFacts, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which a time condition crosses its threshold (when the answer of some
    rule may change without an event), or None when no time condition is ahead."""
    moments = []
    for rule in rules:
        for condition in (*rule["all"], *rule["any"]):
            if condition["metric"] not in TIME_METRICS:
                continue
            anchor = getattr(customer, _ANCHORS[condition["metric"]])
            if anchor is None:
                continue
            moment = anchor + timedelta(days=float(condition["value"]))
            if condition["op"] in (">", "<="):  # true up to and including the threshold: changes just after it
                moment += timedelta(seconds=1)
            if moment > now:
                moments.append(moment)
    return min(moments, default=None)
