"""Automatic tags, grades and the lifetime value, as the taobao and amazon profiles define them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.crm import grades, tag_rules
from services.crm.crm_profile import _settings_of
from shoplab.shops.profiles import load_profile
from tests.unit.crm.conftest import FakeCustomer

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


def tags(settings, customer, now=NOW):
    level = grades.grade_level(settings, (grades.grade_for(settings, customer.monetary_cents, customer.frequency)
                                          or type("G", (), {"code": None})).code)  # fmt: skip
    return tag_rules.tags_for(settings.tag_rules, tag_rules.metrics_of(customer, level, now))


def test_a_first_purchase_is_new_then_not_after_thirty_days(taobao):
    customer = FakeCustomer(frequency=1, monetary_cents=9900, paid_orders=1, first_purchase_at=NOW,
                            last_purchase_at=NOW)  # fmt: skip
    assert tags(taobao, customer) == {"new"}
    assert tags(taobao, customer, NOW + timedelta(days=29, hours=23)) == {"new"}
    assert tags(taobao, customer, NOW + timedelta(days=30)) == set()
    # the rule says when to look again: the moment "new" stops holding (30 days), then "dormant" (90 days)
    assert tag_rules.next_change(taobao.tag_rules, customer, NOW) == NOW + timedelta(days=30)
    later = NOW + timedelta(days=30)
    assert tag_rules.next_change(taobao.tag_rules, customer, later) == NOW + timedelta(days=90)
    assert tags(taobao, customer, NOW + timedelta(days=90)) == {"dormant"}


def test_repeat_vip_refund_dispute_and_bad_reviewer(taobao):
    loyal = FakeCustomer(frequency=12, monetary_cents=350_000, paid_orders=12, first_purchase_at=NOW,
                         last_purchase_at=NOW)  # fmt: skip
    assert tags(taobao, loyal) == {"repeat", "vip"}  # VIP3 by spend (3000.00) and by 10 purchases
    refunder = FakeCustomer(frequency=3, monetary_cents=30000, paid_orders=5, refunded_orders=2,
                            last_purchase_at=NOW, first_purchase_at=NOW)  # fmt: skip
    assert "refund_prone" in tags(taobao, refunder)  # 2 of 5 refunded: 40 % ≥ 30 %
    refunder.paid_orders = 10
    assert "refund_prone" not in tags(taobao, refunder)  # 20 %
    assert "dispute_prone" in tags(taobao, FakeCustomer(disputes=1, disputes_lost=1))
    assert "dispute_prone" in tags(taobao, FakeCustomer(disputes=2))
    assert "dispute_prone" not in tags(taobao, FakeCustomer(disputes=1))
    assert "bad_reviewer" in tags(taobao, FakeCustomer(reviews=3, stars_total=5, negative_reviews=1))  # avg 1.67
    assert "bad_reviewer" in tags(taobao, FakeCustomer(reviews=5, stars_total=20, negative_reviews=2))
    assert "bad_reviewer" not in tags(taobao, FakeCustomer(reviews=2, stars_total=9, negative_reviews=1))
    assert "bad_reviewer" not in tags(taobao, FakeCustomer())  # no reviews: no average, nothing met


def test_grades_by_spend_or_purchases_per_profile(taobao, amazon):
    assert grades.grade_for(taobao, 0, 0) is None
    assert grades.grade_for(taobao, 30000, 1).code == "VIP1"  # 300.00 spent
    assert grades.grade_for(taobao, 100, 5).code == "VIP2"  # five purchases, whatever the spend
    assert grades.grade_for(taobao, 800_000, 1).code == "VIP4"
    assert grades.grade_for(amazon, 5000, 1).code == "VIP1"  # USD thresholds are lower
    assert [grades.grade_level(taobao, code) for code in (None, "VIP1", "VIP4")] == [0, 1, 4]


def test_grades_may_require_every_threshold():
    section = dict(load_profile("taobao")["crm"])
    section["grades"] = {**section["grades"], "require": "all"}
    settings = _settings_of("taobao", section)
    assert grades.grade_for(settings, 100_000, 1) is None
    assert grades.grade_for(settings, 100_000, 5).code == "VIP2"


def test_lifetime_value_formula(taobao):
    first = NOW - timedelta(days=365)
    # 1200.00 over a year, 3-year lifespan: 1200 × 365 / 365 × 3 = 3600.00
    assert grades.lifetime_value_cents(taobao, 120_000, 4, first, NOW) == 360_000
    # a customer of one day is counted as min_age_days (30) old: 100 × 365 / 30 × 3 = 3650.00
    assert grades.lifetime_value_cents(taobao, 10_000, 1, NOW - timedelta(days=1), NOW) == 365_000
    assert grades.lifetime_value_cents(taobao, 0, 0, None, NOW) is None


@pytest.mark.parametrize("broken, field", [
    ({"tag_rules": [{"tag": "x", "all": [{"metric": "nope", "op": ">", "value": 1}]}]}, "tag_rules"),
    ({"tag_rules": [{"tag": "x", "all": [{"metric": "spent", "op": ">", "value": "1.234"}]}]}, "tag_rules"),
    ({"care": {"local_hours": [20, 10]}}, "care"),
])  # fmt: skip
def test_a_broken_crm_section_is_refused_naming_the_field(broken, field):
    section = {**load_profile("taobao")["crm"], **broken}
    with pytest.raises(ValueError, match=field):
        _settings_of("taobao", section)
