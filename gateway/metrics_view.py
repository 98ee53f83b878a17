"""One person's metrics over a period, in one call: the tickets service's reply-time and service metrics for the
period and for each of its days (the daily trend), and the orders service's figures of what the person did
(payment reminders and the orders they recovered, refund decisions).

Reply-time metrics measure people, on the wall clock; the orders service counts business moments on the shop's
clock, so its period is the shop time the wall period corresponds to on the shop's clock as it runs now (exact
while the instructor has not changed the clock within the period).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway.joined import Ask, Deadline, ask_all
from shoplab.contracts.bounded import FIRST_YEAR, LAST_YEAR
from shoplab.errors import InvalidInput
from shoplab.shops.clock import ShopClock

MAX_DAYS = 31


def period_of(
    start_day: str | None, end_day: str | None, timezone: str, today: datetime | None = None
) -> tuple[datetime, datetime]:
    """``[start_day 00:00, end_day + 1 day 00:00)`` in the classroom's time zone (dates as YYYY-MM-DD; by default
    the last 7 days, today included), as UTC moments."""
    zone = ZoneInfo(timezone)
    local_today = (today or datetime.now(UTC)).astimezone(zone).date()
    try:
        last = datetime.fromisoformat(end_day).date() if end_day else local_today
        first = datetime.fromisoformat(start_day).date() if start_day else last - timedelta(days=6)
    except ValueError:
        raise InvalidInput("dates are YYYY-MM-DD", {"from": ["a date such as 2026-11-11"]}) from None
    for name, day in (("from", first), ("to", last)):  # a day past 9999-12-30 has no next day to end on
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InvalidInput("dates are within sane years", {name: [f"years {FIRST_YEAR} to {LAST_YEAR}"]})
    if last < first:
        raise InvalidInput("the period ends before it starts", {"to": ["on or after 'from'"]})
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days", {"from": [f"a period of at most {MAX_DAYS} days"]})
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def days_of(start: datetime, end: datetime, timezone: str) -> list[tuple[datetime, datetime]]:
    zone = ZoneInfo(timezone)
    days = []
    day = start.astimezone(zone)
    while day < end:
        following = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), zone)
        days.append((day.astimezone(UTC), following.astimezone(UTC)))
        day = following
    return days


def my_metrics(
    shop_id: str, agent_id: str | None, start: datetime, end: datetime, clock: ShopClock, timezone: str
) -> dict[str, Any]:
    """The metrics of ``agent_id`` (None: the whole shop) for ``[start, end)`` of wall time."""
    deadline = Deadline()
    scope: dict[str, Any] = {"agent": agent_id} if agent_id else {}
    days = days_of(start, end, timezone)
    asks = {
        "tickets": Ask("tickets", "/metrics", {"from": start.isoformat(), "to": end.isoformat(), **scope}),
        "orders": Ask(
            "orders",
            "/metrics",
            {"from": clock.now(start).isoformat(), "to": _shop_end(clock, start, end).isoformat(), **scope},
        ),
    }
    # the daily trend in one call (the tickets service cuts the period at the classroom's midnights)
    asks["daily"] = Ask(
        "tickets",
        "/metrics/daily",
        {"from": start.isoformat(), "to": end.isoformat(), "timezone": timezone, **scope},
    )
    answers = ask_all(shop_id, asks, deadline)
    by_day = {day["from"]: day for day in answers.bodies.get("daily") or []}
    orders = answers.bodies.get("orders")
    mine = None
    if orders is not None and agent_id:
        mine = next((row for row in orders.get("agents", []) if row["agent_id"] == agent_id), None)
        mine = mine or _nothing_done(agent_id)
    known = "daily" in answers.bodies
    daily = [_day(day_start, timezone, by_day.get(_wire(day_start)) if known else None) for day_start, _ in days]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "agent": agent_id,
        "tickets": answers.bodies.get("tickets"),
        "orders": {"shop": orders.get("shop"), "mine": mine, "currency": orders.get("currency")} if orders else None,
        "daily": daily,
        "unavailable": {name.split(":")[0]: reason for name, reason in answers.unavailable.items()},
    }


def _wire(moment: datetime) -> str:
    """A moment as the tickets service writes it (marshmallow's ISO 8601, UTC offset as +00:00)."""
    return moment.astimezone(UTC).isoformat()


def _shop_end(clock: ShopClock, start: datetime, end: datetime) -> datetime:
    shop_end = clock.now(end)
    return shop_end if shop_end > clock.now(start) else clock.now(start) + timedelta(seconds=1)


def _day(day_start: datetime, timezone: str, body: dict | None) -> dict[str, Any]:
    first = (body or {}).get("first_response") or {}
    response = (body or {}).get("response") or {}
    return {
        "date": day_start.astimezone(ZoneInfo(timezone)).date().isoformat(),
        "first_response_mean": first.get("mean"),
        "first_responses": first.get("count"),
        "rate_within": response.get("rate_within"),
        "handled": ((body or {}).get("tickets") or {}).get("handled"),
        "known": body is not None,
    }


def _nothing_done(agent_id: str) -> dict[str, Any]:
    return {
        "agent_id": agent_id,
        "reminded_orders": 0,
        "recovered_orders": 0,
        "reminder_success_rate": None,
        "recovered_amount": "0.00",
        "refunds_approved": 0,
        "refunds_rejected": 0,
        "refund_amount_approved": "0.00",
    }
