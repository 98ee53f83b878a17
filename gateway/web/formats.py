"""Numbers people read, formatted for the page's language: money in the shop's currency, times on both clocks.

- Money arrives from the API as a two-place decimal string ("1234.50") or integer minor units; it is shown as the
  locale writes that currency (zh_CN ``¥1,234.50``, en ``CN¥1,234.50`` / ``$1,234.50``).
- Wall times (when a person wrote) are shown in the classroom's time zone; shop times (the business calendar of the
  simulated clock) are labelled as such, so a student never confuses "the buyer wrote at 10:02" with "the dispute
  window ends on 11月15日".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import (
    format_currency,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)
from jinja2 import Undefined

from gateway.web.language import DEFAULT_LOCALE, gettext, normalise
from shoplab.contracts.money import from_minor

CLASSROOM_TIMEZONE = "Asia/Shanghai"


def money(amount: Any, currency: str | None) -> str:
    """``"1234.50"`` or ``123450`` (minor units, an int) in the shop's currency, as the page's language writes it."""
    if amount is None or amount == "":
        return "—"
    try:
        value = from_minor(amount) if isinstance(amount, int) and not isinstance(amount, bool) else Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not currency:
        return format_decimal(value, format="#,##0.00")
    return format_currency(value, currency)


def _parse(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def wall_time(value: Any, style: str = "short") -> str:
    """A wall-clock moment in the classroom's time zone: ``2026/11/11 10:02`` (zh) or ``11/11/26, 10:02 AM`` (en)."""
    moment = _parse(value)
    return format_datetime(moment, style) if moment else "—"


def shop_time(value: Any, style: str = "medium") -> str:
    """A moment on the shop's simulated calendar (the same formatting; the template labels the clock)."""
    moment = _parse(value)
    return format_datetime(moment, style) if moment else "—"


def moment(value: Any) -> str:
    """A wall-clock moment, as short as it can be told: the time alone today, the date and time otherwise."""
    when = _parse(value)
    if when is None:
        return "—"
    zone = ZoneInfo(CLASSROOM_TIMEZONE)
    if when.astimezone(zone).date() == datetime.now(zone).date():
        return format_time(when, "short")
    return format_datetime(when, "short")


def duration(seconds: Any) -> str:
    """Wall seconds as people read a reply time: ``45 s``, ``2 min 05 s``, ``1 h 02 min``."""
    if seconds is None or seconds == "" or isinstance(seconds, Undefined):  # a figure not known (service away)
        return "—"
    total = int(round(float(seconds)))
    if total < 60:
        return gettext("%(s)s s", s=total)
    if total < 3600:
        if total % 60 == 0:
            return gettext("%(m)s min", m=total // 60)
        return gettext("%(m)s min %(s)02d s", m=total // 60, s=total % 60)
    if total % 3600 == 0:
        return gettext("%(h)s h", h=total // 3600)
    return gettext("%(h)s h %(m)02d min", h=total // 3600, m=(total % 3600) // 60)


def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return format_percent(float(value), "#,##0.#%")


def local_date(value: Any, shift_days: int = 0) -> str:
    """A moment's date in the classroom's time zone (``shift_days``: e.g. -1 for the last day of an end-exclusive
    period), as a date input wants it."""
    when = _parse(value)
    if when is None:
        return ""
    return (when.astimezone(ZoneInfo(CLASSROOM_TIMEZONE)) + timedelta(days=shift_days)).date().isoformat()


def today(shift_days: int = 0) -> str:
    return (datetime.now(ZoneInfo(CLASSROOM_TIMEZONE)) + timedelta(days=shift_days)).date().isoformat()


def current_locale() -> str:
    """The page's language as ShopLab names it: ``zh_CN`` or ``en`` (Babel says ``zh_Hans_CN`` for Chinese)."""
    return normalise(str(get_locale() or "")) or DEFAULT_LOCALE


def install_formats(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["wall_time"] = wall_time
    app.jinja_env.filters["shop_time"] = shop_time
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["today"] = today
    app.jinja_env.globals["current_locale"] = current_locale
