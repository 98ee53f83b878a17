"""The conversation as the middle pane shows it: the ticket's messages (buyer, agent, auto reply, internal note,
system event) and, between them, what happened to the order (paid, payment failed, reminded, shipped, parcel in
trouble, refund or return steps, dispute), each kind visibly distinct.

Messages carry their wall-clock time (when a person wrote); business events carry their shop time (the simulated
calendar). To put a business event between the messages, its wall time is worked out from the shop's clock history
(the clock that ran at that moment: speed changes, pauses and jumps included); both times are shown when they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.shops import wall_time_of
from gateway.web import system_events
from gateway.web.formats import money
from gateway.web.labels import label
from gateway.web.language import gettext as _
from shoplab.shops.clock import ShopClock

SAME_MOMENT = timedelta(seconds=60)  # closer than this, the two clocks are shown as one


@dataclass
class Entry:
    kind: str  # buyer | agent | auto | note | system | business
    text: str
    wall: datetime | None
    shop: datetime | None = None
    who: str = ""
    tone: str = ""  # business events: good | bad | info
    warnings: list[dict] = field(default_factory=list)
    message_id: int | None = None

    @property
    def clocks_differ(self) -> bool:
        return self.shop is not None and self.wall is not None and abs(self.shop - self.wall) > SAME_MOMENT


def parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build(view: dict, history: list[ShopClock], agent_names: dict[str, str]) -> list[Entry]:
    entries = [_message(m, view["ticket"], agent_names) for m in (view.get("ticket") or {}).get("messages", [])]
    entries += business_events(view, history)
    far = datetime.max.replace(tzinfo=UTC)
    entries.sort(key=lambda e: (e.wall or far, 0 if e.kind != "business" else 1))
    return entries


def _message(message: dict, ticket: dict, agent_names: dict[str, str]) -> Entry:
    kind = {"auto_reply": "auto", "note": "note", "event": "system"}.get(message["kind"])
    if kind is None:
        kind = "buyer" if message["author"] == "buyer" else "agent"
    who = {
        "buyer": ticket.get("buyer_name") or _("Buyer"),
        "agent": agent_names.get(message.get("agent_id") or "", message.get("agent_id") or ""),
        "note": agent_names.get(message.get("agent_id") or "", message.get("agent_id") or ""),
        "auto": _("Auto reply"),
        "system": _("System"),
    }[kind]
    return Entry(
        kind=kind,
        text=system_events.text_of(message) if kind == "system" else message.get("body") or "",
        wall=parse(message.get("created_at")),
        who=who,
        warnings=message.get("warnings") or [],
        message_id=message.get("id"),
    )


def business_events(view: dict, history: list[ShopClock]) -> list[Entry]:
    """What the order's parts say happened, as timeline entries (shop time, placed by their wall time)."""
    currency = (view.get("order") or {}).get("currency")
    found = [
        *_order_events(view.get("order") or {}, currency),
        *_payment_events(view),
        *_parcel_events(view.get("tracking") or {}),
        *_after_sale_events(view, currency),
        *_dispute_events(view.get("disputes") or [], currency),
    ]
    entries = []
    for when, text, tone in found:
        shop_time = parse(when)
        if shop_time is not None:
            entries.append(Entry("business", text, wall_time_of(history, shop_time), shop=shop_time, tone=tone))
    return entries


Found = list[tuple[Any, str, str]]  # (shop time, words, tone)


def _order_events(order: dict, currency: str | None) -> Found:
    if not order:
        return []
    found = [(order.get("placed_at"), _("Order placed: %(total)s", total=money(order.get("total"), currency)), "info")]
    if order.get("paid_at"):
        found.append((order["paid_at"], _("Order paid: %(amount)s", amount=money(order.get("paid"), currency)), "good"))
    if order.get("cancelled_at"):
        found.append((order["cancelled_at"], _("Order cancelled"), "bad"))
    if order.get("delivered_at"):
        found.append((order["delivered_at"], _("Parcel delivered"), "good"))
    return found


def _payment_events(view: dict) -> Found:
    found: Found = []
    for payment in view.get("payments") or []:
        if payment.get("result") == "failed":
            reason = label("payment_failure", payment.get("failure_reason"))
            found.append((payment.get("attempted_at"), _("Payment failed: %(reason)s", reason=reason), "bad"))
    for reminder in view.get("reminders") or []:
        text = _("Payment reminder sent (%(channel)s)", channel=label("channel", reminder.get("channel")))
        found.append((reminder.get("sent_at"), text, "info"))
    return found


def _parcel_events(tracking: dict) -> Found:
    found: Found = []
    for parcel in tracking.get("shipments", []):
        shipment = parcel.get("shipment") or {}
        carrier, number = shipment.get("carrier"), shipment.get("tracking_no")
        found.append(
            (
                shipment.get("shipped_at"),
                _("Shipped with %(carrier)s %(number)s", carrier=carrier, number=number),
                "info",
            )
        )
        for event in parcel.get("events", []):
            if event.get("kind") == "exception":
                what = label("shipment_status", event.get("status"))
                found.append((event.get("occurred_at"), _("Parcel trouble: %(what)s", what=what), "bad"))
    return found


def _after_sale_events(view: dict, currency: str | None) -> Found:
    found: Found = []
    for refund in view.get("refunds") or []:
        amount, reason = money(refund.get("amount"), currency), label("after_sale_reason", refund.get("reason"))
        found.append(
            (
                refund.get("requested_at"),
                _("Refund requested: %(amount)s (%(reason)s)", amount=amount, reason=reason),
                "bad",
            )
        )
        if refund.get("decided_at"):
            status = label("refund_status", refund.get("status"))
            found.append((refund["decided_at"], _("Refund %(status)s", status=status), "info"))
    for item in view.get("returns") or []:
        reason = label("after_sale_reason", item.get("reason"))
        found.append((item.get("requested_at"), _("Return requested (%(reason)s)", reason=reason), "bad"))
        if item.get("received_at"):
            found.append((item["received_at"], _("Returned goods received"), "info"))
    return found


def _dispute_events(disputes: list[dict], currency: str | None) -> Found:
    found: Found = []
    for dispute in disputes:
        amount = money(dispute.get("amount_requested"), dispute.get("currency") or currency)
        found.append((dispute.get("opened_at"), _("Dispute opened: %(amount)s asked", amount=amount), "bad"))
        ruling = dispute.get("ruling") or {}
        if ruling.get("ruled_at"):
            outcome = label("outcome", ruling.get("outcome"))
            found.append((ruling["ruled_at"], _("Platform ruled: %(outcome)s", outcome=outcome), "info"))
    return found
