"""Shipping fee and promised delivery time of an order, from the shipping templates of its products (运费模板).

Each product names a template; a template has rules per destination country and carrier:
``fee_cents`` for the first kg and ``per_kg_cents`` for each started kg above it (首重 + 续重), and a delivery-time
range.
Lines sharing a template are weighed together; the order's fee is the sum over its templates, its delivery
range the widest of them. The carrier is the buyer's choice, or the first one every template offers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shoplab.errors import InvalidInput


@dataclass(frozen=True)
class Quote:
    carrier: str
    fee_cents: int
    days_min: int
    days_max: int


def rules_for(rules: Iterable[Mapping[str, Any]], country: str) -> dict[str, Mapping[str, Any]]:
    """The rule of each carrier that serves ``country`` (a rule naming the country beats a ``"*"`` rule)."""
    chosen: dict[str, Mapping[str, Any]] = {}
    for rule in rules:
        countries = rule["countries"]
        if countries == "*" and rule["carrier"] not in chosen or countries != "*" and country in countries:
            chosen[rule["carrier"]] = rule
    return chosen


def rule_fee(rule: Mapping[str, Any], weight_grams: int) -> int:
    extra_kg = max(0, math.ceil((weight_grams - 1000) / 1000))
    return rule["fee_cents"] + extra_kg * rule["per_kg_cents"]


def quote(
    templates: Mapping[str, list[Mapping[str, Any]]],
    weights: Mapping[str, int],
    country: str,
    carrier: str | None = None,
) -> Quote:
    """``templates``: code → rules; ``weights``: template code → grams of the order's lines using it."""
    offers = {code: rules_for(templates[code], country) for code in weights}
    common = [c for c in next(iter(offers.values()))] if offers else []
    common = [c for c in common if all(c in rules for rules in offers.values())]
    if not common:
        raise InvalidInput(
            f"these products do not ship to {country}", {"address": {"country": ["no shipping to this country"]}}
        )
    if carrier is None:
        carrier = common[0]
    elif carrier not in common:
        raise InvalidInput(
            f"{carrier} is not offered for this order to {country}",
            {"shipping_carrier": [f"one of {', '.join(common)}"]},
        )
    chosen = [offers[code][carrier] for code in weights]
    return Quote(
        carrier=carrier,
        fee_cents=sum(rule_fee(offers[code][carrier], grams) for code, grams in weights.items()),
        days_min=max(rule["days_min"] for rule in chosen),
        days_max=max(rule["days_max"] for rule in chosen),
    )
