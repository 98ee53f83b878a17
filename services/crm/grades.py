"""Member grades and the lifetime-value estimate: plain arithmetic on a customer's purchases.

A grade is the highest level of the profile's ``crm.grades`` whose thresholds are met: spent at least
``min_spent`` and/or at least ``min_purchases`` purchases (``require: any`` or ``all``). Spent and purchases are
those of RFM: live paid orders net of refunds, plus imported transactions.

Lifetime value (docs/crm.md): ``LTV = average order value × purchases per year × lifespan years``, where
average order value = spent / purchases and purchases per year = purchases / customer age in years (age = days
since the first purchase, at least ``min_age_days`` so a one-day-old customer is not extrapolated to 365 orders a
year). It simplifies to ``spent × 365 / max(age days, min_age_days) × lifespan_years``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from services.crm.crm_profile import CrmSettings, GradeLevel


def grade_for(settings: CrmSettings, spent_cents: int, purchases: int) -> GradeLevel | None:
    reached = None
    for level in settings.grade_levels:
        checks = (spent_cents >= level.min_spent_cents, purchases >= level.min_purchases)
        if all(checks) if settings.grades_require_all else any(checks):
            reached = level
    return reached


def grade_level(settings: CrmSettings, code: str | None) -> int:
    """1 for the first level of the profile, 2 for the next ...; 0 without a grade."""
    for position, level in enumerate(settings.grade_levels, start=1):
        if level.code == code:
            return position
    return 0


def lifetime_value_cents(
    settings: CrmSettings, spent_cents: int, purchases: int, first_purchase_at: datetime | None, now: datetime
) -> int | None:
    """The estimate in minor units, or None for a customer without purchases."""
    if purchases <= 0 or first_purchase_at is None:
        return None
    age_days = max((now - first_purchase_at).total_seconds() / 86400, settings.ltv_min_age_days)
    value = Decimal(spent_cents) * 365 / Decimal(age_days) * Decimal(str(settings.ltv_lifespan_years))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
