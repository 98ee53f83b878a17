"""Numbers people read, formatted for the page's language: money in the shop's currency, times on both clocks.

- Money arrives from the API as a two-place decimal string ("1234.50") or integer minor units; it is shown as the
  locale writes that currency (zh_CN ``¥1,234.50``, en ``CN¥1,234.50`` / ``$1,234.50``).
- Wall times (when a person wrote) are shown in the classroom's time zone; shop times (the business calendar of the
  simulated clock) are labelled as such, so a student never confuses "the buyer wrote at 10:02" with "the dispute
  window ends on 11月15日".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from flask_babel import format_currency, format_datetime, format_decimal, get_locale

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


def install_formats(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["wall_time"] = wall_time
    app.jinja_env.filters["shop_time"] = shop_time
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "zh_CN")
