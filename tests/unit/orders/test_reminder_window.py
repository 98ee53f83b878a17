from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from services.orders.reminders import ReminderPolicy, reminder_window
from shoplab.shops.profiles import load_profile

PLACED = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TAOBAO = ReminderPolicy.of(load_profile("taobao"))  # 2 max, 10 min after, 120 min between, quiet 22-8


def order(**kw):
    fields = dict(
        state="unpaid",
        placed_at=PLACED,
        pay_due_at=PLACED + timedelta(hours=24),
        reminder_count=0,
        last_reminded_at=None,
        buyer_timezone="Asia/Shanghai",
    )
    return SimpleNamespace(**{**fields, **kw})


def test_not_before_the_minutes_after_the_order():
    window = reminder_window(order(), TAOBAO, PLACED + timedelta(minutes=9))
    assert not window.allowed and window.reason == "too_soon_after_order"
    assert window.next_at == PLACED + timedelta(minutes=10)
    assert reminder_window(order(), TAOBAO, PLACED + timedelta(minutes=10)).allowed


def test_spacing_between_reminders_and_the_limit():
    once = order(reminder_count=1, last_reminded_at=PLACED + timedelta(minutes=15))
    early = reminder_window(once, TAOBAO, PLACED + timedelta(minutes=60))
    assert early.reason == "too_soon_after_last_reminder"
    assert early.next_at == PLACED + timedelta(minutes=135)
    assert reminder_window(once, TAOBAO, PLACED + timedelta(minutes=135)).allowed
    twice = order(reminder_count=2, last_reminded_at=PLACED + timedelta(minutes=140))
    assert reminder_window(twice, TAOBAO, PLACED + timedelta(hours=6)).reason == "limit_reached"


def test_quiet_hours_are_the_buyers_local_hours():
    # 23:00 in Shanghai is quiet; the window reopens at 08:00 local
    late = PLACED.replace(hour=15)
    window = reminder_window(order(), TAOBAO, late)
    assert window.reason == "buyer_quiet_hours"
    assert window.next_at.astimezone(UTC) == datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
    # the same instant is 10:00 in New York: not quiet for a buyer there
    assert reminder_window(order(buyer_timezone="America/New_York"), TAOBAO, late).allowed


def test_no_reminder_for_orders_that_cannot_be_paid():
    assert reminder_window(order(state="paid"), TAOBAO, PLACED + timedelta(hours=1)).reason == "order_paid"
    assert reminder_window(order(state="cancelled"), TAOBAO, PLACED + timedelta(hours=1)).reason == "order_cancelled"
    closed = reminder_window(order(), TAOBAO, PLACED + timedelta(hours=24))
    assert closed.reason == "payment_window_closed"


def test_quiet_window_not_across_midnight():
    policy = ReminderPolicy(1, timedelta(0), timedelta(0), 1, 6, ("chat",))
    assert policy.is_quiet(datetime(2026, 1, 1, 3, 0))
    assert not policy.is_quiet(datetime(2026, 1, 1, 6, 0))
    assert not policy.is_quiet(datetime(2026, 1, 1, 0, 59))
