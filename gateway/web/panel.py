"""The panel beside a conversation (or an order's own page): the order, its payments and reminders, its parcels, its
refunds, returns and dispute, and the actions a person expects next to each — offered when the state allows them
(the API refuses the rest anyway, and the page shows its refusal in words).
"""

from __future__ import annotations

from typing import Any

from gateway.models import Shop
from gateway.web.formats import current_locale
from gateway.web.timeline import parse
from shoplab.shops.profiles import load_profile

REMINDABLE = ("unpaid",)
CANCELLABLE = ("unpaid", "paid")
ADDRESS_CHANGEABLE = ("unpaid", "paid")
RESHIPPABLE = ("shipped", "delivered", "completed")
SHIPPABLE = ("paid",)
OPEN_DISPUTE = ("awaiting_seller", "negotiating")


def panel_context(shop: Shop, view: dict) -> dict[str, Any]:
    profile = load_profile(shop.platform)
    order = view.get("order")
    ticket = view.get("ticket") or {}
    state = order.get("state") if order else None
    chinese = current_locale() == "zh_CN"
    lines = [
        {
            **line,
            "name": (line.get("title_zh") if chinese else line.get("title")) or line.get("title") or line.get("sku"),
        }
        for line in (order or {}).get("lines", [])
    ]
    return {
        "order": order,
        "currency": (order or {}).get("currency") or shop.currency,
        "lines": lines,
        "payments": view.get("payments") or [],
        "reminders": view.get("reminders") or [],
        "parcels": (view.get("tracking") or {}).get("shipments", []),
        "refunds": view.get("refunds") or [],
        "returns": view.get("returns") or [],
        "disputes": view.get("disputes") or [],
        "customer": view.get("customer"),
        "customer_id": (order or {}).get("customer_id") or ticket.get("customer_id"),
        "buyer": (order or {}).get("buyer") or {"name": ticket.get("buyer_name")},
        "reviews": view.get("reviews") or [],
        "unavailable": view.get("unavailable") or {},
        "can": {
            "remind": state in REMINDABLE,
            "cancel": state in CANCELLABLE,
            "address": state in ADDRESS_CHANGEABLE,
            "ship": state in SHIPPABLE,
            "reship": state in RESHIPPABLE,
            "refund": state in ("paid", "shipped", "delivered", "completed"),
        },
        "reminder_channels": profile.get("reminders", {}).get("channels", []),
        "reminder_rules": profile.get("reminders", {}),
        "carriers": profile.get("carriers", []),
        "address": (order or {}).get("address") or {},
        "open_disputes": OPEN_DISPUTE,
        "deadline_passed": _deadline_passed,
    }


def _deadline_passed(value: Any, shop_now: Any) -> bool:
    due, now = parse(value), parse(shop_now)
    return bool(due and now and due <= now)
