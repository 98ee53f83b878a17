"""Care tasks fall due in the customer's own time: local hours, their country's holidays, delivery, dormancy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.crm import care_schedule
from tests.unit.crm.conftest import FakeCustomer


def test_a_moment_at_night_waits_for_the_customers_morning(taobao):
    hours = taobao.care["local_hours"]  # 10-20
    # 23:30 in Shanghai is 15:30 UTC: the task waits until 10:00 Shanghai the next day (02:00 UTC)
    night = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert care_schedule.in_window(night, "Asia/Shanghai", hours) == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    # the same moment is 07:30 in Los Angeles: the window opens at 10:00 there, the same day
    assert care_schedule.in_window(night, "America/Los_Angeles", hours) == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    afternoon = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai: now is fine
    assert care_schedule.in_window(afternoon, "Asia/Shanghai", hours) == afternoon


def test_greetings_follow_the_customers_country_and_skip_days_of_mourning(taobao, amazon):
    after = datetime(2026, 9, 20, tzinfo=UTC)
    cn = care_schedule.next_greeting("CN", "Asia/Shanghai", taobao.care, after)
    assert (cn.day.isoformat(), cn.holiday) == ("2026-09-25", "Mid-Autumn Festival")
    assert cn.due_at == datetime(2026, 9, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert cn.expires_at == datetime(2026, 9, 25, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    us = care_schedule.next_greeting("US", "America/New_York", amazon.care, datetime(2026, 11, 20, tzinfo=UTC))
    assert (us.day.isoformat(), us.holiday) == ("2026-11-26", "Thanksgiving Day")
    assert us.due_at == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 10:00 in New York (EST)
    # Tomb-Sweeping Day (清明) is a day of mourning: not greeted; the next is Labour Day
    spring = care_schedule.next_greeting("CN", "Asia/Shanghai", taobao.care, datetime(2026, 4, 1, tzinfo=UTC))
    assert spring.holiday == "Labor Day"
    # a multi-day holiday is greeted once, on its first day; an unknown country has no calendar
    assert care_schedule.next_greeting("CN", "Asia/Shanghai", taobao.care, datetime(2026, 10, 1, 13, tzinfo=UTC))\
        .day.isoformat() != "2026-10-02"  # fmt: skip
    assert care_schedule.next_greeting("XX", "UTC", taobao.care, after) is None
    assert care_schedule.holiday_name("CN", cn.day, "zh") == "中秋节"


def test_follow_up_and_win_back_are_scheduled_in_local_hours(taobao):
    delivered = datetime(2026, 5, 1, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    due = care_schedule.follow_up_due(delivered, "Asia/Shanghai", taobao.care)
    assert due == datetime(2026, 5, 5, 2, 0, tzinfo=UTC)  # 3 days later is 22:00 again: 10:00 the next morning
    customer = FakeCustomer(country="CN", timezone="Asia/Shanghai", last_purchase_at=delivered)
    care_schedule.reschedule(customer, taobao.care, delivered)
    assert customer.win_back_due_at == datetime(2026, 7, 31, 2, 0, tzinfo=UTC)  # 90 days, next local morning
    assert customer.greeting_due_at is not None
    customer.last_purchase_at = None
    care_schedule.reschedule(customer, taobao.care, delivered)
    assert customer.win_back_due_at is None and customer.greeting_due_at is None
    assert timedelta(0) < due - delivered
