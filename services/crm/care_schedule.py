"""When care tasks fall due, in the customer's own time: plain Python on dates, time zones and holiday calendars.

- a task is announced within the customer's local hours (the profile's ``crm.care.local_hours``, e.g. 10-20): a
  moment outside them moves to the next opening of that window;
- holiday greetings: the public holidays of the customer's country (the ``holidays`` package), once per holiday
  and year, on its first day, from the window's opening to its close (then the greeting has expired); holidays
  whose English name contains one of ``holiday_greeting.skip_containing`` are not greeted (days of mourning,
  observed and substituted days);
- follow-up: ``follow_up_days`` after delivery; win-back: ``win_back_days`` after the last purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

DEFAULT_ZONE = "UTC"
# holiday names in the language of a template: our language code -> the holidays package's
HOLIDAY_LANGUAGES = {"zh": "zh_CN", "en": "en_US"}


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the zone database, too long a name
        return ZoneInfo(DEFAULT_ZONE)


def in_window(moment: datetime, tz_name: str | None, hours: list[int]) -> datetime:
    """The first moment at or after ``moment`` that falls within the customer's local hours [start, end)."""
    tz = zone(tz_name)
    local = moment.astimezone(tz)
    start, end = hours
    if local.hour < start:
        opening = datetime.combine(local.date(), time(start), tz)
    elif local.hour >= end:
        opening = datetime.combine(local.date() + timedelta(days=1), time(start), tz)
    else:
        return moment
    return opening.astimezone(UTC)


@cache
def _calendar(country: str, year: int, language: str | None) -> dict[date, str]:
    try:
        found = holidays.country_holidays(country, years=year, language=language)
    except (NotImplementedError, KeyError, ValueError):
        return {}
    return dict(found.items())


def holiday_name(country: str, day: date, language: str) -> str | None:
    wanted = HOLIDAY_LANGUAGES.get(language, "en_US")
    try:
        name = _calendar(country, day.year, wanted).get(day)
    except Exception:  # a language the country's calendar does not speak
        name = None
    return name or _calendar(country, day.year, "en_US").get(day) or _calendar(country, day.year, None).get(day)


def _first_days(country: str, year: int, skip: list[str]) -> list[tuple[date, str]]:
    """Each holiday of the year once, on its first day, by its English name; skipped names left out."""
    first: dict[str, date] = {}
    for day, names in sorted(_calendar(country, year, "en_US").items()):
        for name in names.split("; "):
            if any(part.lower() in name.lower() for part in skip):
                continue
            first.setdefault(name, day)
    return sorted((day, name) for name, day in first.items())


@dataclass(frozen=True)
class Greeting:
    key: str
    holiday: str  # English name
    day: date
    due_at: datetime
    expires_at: datetime


def next_greeting(country: str | None, tz_name: str | None, care: dict[str, Any], after: datetime) -> Greeting | None:
    """The next holiday greeting not yet expired at ``after`` (it may be due already)."""
    if not country:
        return None
    tz = zone(tz_name)
    start, end = care["local_hours"]
    skip = care["holiday_greeting"]["skip_containing"]
    today = after.astimezone(tz).date()
    for year in (today.year, today.year + 1):
        for day, name in _first_days(country.upper(), year, skip):
            closes = datetime.combine(day, time(end), tz).astimezone(UTC)
            if closes <= after:
                continue
            opens = datetime.combine(day, time(start), tz).astimezone(UTC)
            return Greeting(f"greeting:{country.upper()}:{day.isoformat()}:{name}", name, day, opens, closes)
    return None


def reschedule(customer: Any, care: dict[str, Any], now: datetime) -> None:
    """Set when the care timer should next look at this customer: greeting and win-back."""
    greeting = next_greeting(customer.country, customer.timezone, care, now) if customer.last_purchase_at else None
    customer.greeting_due_at = greeting.due_at if greeting else None
    if customer.last_purchase_at is None:
        customer.win_back_due_at = None
    else:
        dormant_from = customer.last_purchase_at + timedelta(days=care["win_back_days"])
        customer.win_back_due_at = in_window(dormant_from, customer.timezone, care["local_hours"])


def follow_up_due(delivered_at: datetime, tz_name: str | None, care: dict[str, Any]) -> datetime:
    return in_window(delivered_at + timedelta(days=care["follow_up_days"]), tz_name, care["local_hours"])


def win_back_key(customer_id: str, last_purchase_at: datetime) -> str:
    return f"win_back:{customer_id}:{last_purchase_at.isoformat()}"
