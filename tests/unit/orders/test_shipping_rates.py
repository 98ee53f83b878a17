import pytest

from services.orders.catalog_seed import rule_in_cents
from services.orders.shipping_rates import quote, rule_fee
from shoplab.errors import InvalidInput

FILE_TEMPLATES = {  # as the catalog files write them; stored (and quoted) in cents
    "std": [
        {"countries": "*", "carrier": "Cainiao", "fee": "0.00", "per_kg": "0.00", "days_min": 15, "days_max": 30},
        {"countries": ["US"], "carrier": "Cainiao", "fee": "1.00", "per_kg": "0.50", "days_min": 10, "days_max": 20},
        {"countries": "*", "carrier": "DHL", "fee": "14.99", "per_kg": "6.00", "days_min": 3, "days_max": 7},
    ],
    "heavy": [
        {"countries": "*", "carrier": "DHL", "fee": "24.99", "per_kg": "9.00", "days_min": 4, "days_max": 8},
        {"countries": ["US"], "carrier": "4PX", "fee": "6.99", "per_kg": "3.50", "days_min": 10, "days_max": 20},
    ],
}
TEMPLATES = {code: [rule_in_cents(rule) for rule in rules] for code, rules in FILE_TEMPLATES.items()}


def test_first_kg_then_each_started_kg():
    rule = rule_in_cents({"fee": "10.00", "per_kg": "6.00"})
    assert rule_fee(rule, 400) == 1000
    assert rule_fee(rule, 1000) == 1000
    assert rule_fee(rule, 1001) == 1600
    assert rule_fee(rule, 2500) == 2200


def test_a_rule_naming_the_country_beats_the_catch_all():
    us = quote(TEMPLATES, {"std": 2000}, "US")
    assert (us.carrier, us.fee_cents, us.days_min, us.days_max) == ("Cainiao", 150, 10, 20)
    fr = quote(TEMPLATES, {"std": 2000}, "FR")
    assert (fr.carrier, fr.fee_cents, fr.days_max) == ("Cainiao", 0, 30)


def test_templates_add_up_on_a_carrier_both_offer():
    both = quote(TEMPLATES, {"std": 500, "heavy": 3000}, "FR")
    assert both.carrier == "DHL"
    assert both.fee_cents == 1499 + (2499 + 2 * 900)
    assert (both.days_min, both.days_max) == (4, 8)


def test_buyer_choice_must_be_offered():
    assert quote(TEMPLATES, {"std": 100}, "GB", "DHL").fee_cents == 1499
    with pytest.raises(InvalidInput) as caught:
        quote(TEMPLATES, {"std": 100}, "GB", "UPS")
    assert "shipping_carrier" in caught.value.fields


def test_no_common_carrier_means_no_shipping_to_the_country():
    rule = {"countries": ["CN"], "carrier": "SF", "fee": "0", "per_kg": "0", "days_min": 1, "days_max": 2}
    with pytest.raises(InvalidInput) as caught:
        quote({"cn": [rule_in_cents(rule)]}, {"cn": 100}, "US")
    assert caught.value.fields == {"address": {"country": ["no shipping to this country"]}}
