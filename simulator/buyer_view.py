"""What a shop's buyers can see, read back from the buyer API: the ``observe`` half of the HTTP port.

The adapter remembers what its buyers have in the shop (conversations, orders, refunds and returns, disputes,
reviews) and what of it they have already seen. ``observe`` asks the gateway's buyer feed which of those changed since
the last look (``GET .../feed?after=<seq>``: the shop's live notifications, "look again" with ids) and reads only
those again; every ``SWEEP_SECONDS`` (and when the feed lost some notifications) it reads everything still open; the
reviews, which have no notification (a contact, the shop's reply), every ``REVIEW_SECONDS``. Each difference becomes
an ``Observation`` at the moment the shop recorded it: shop times the services give (``*_at`` of orders, parcels,
refunds, disputes, reviews) and, for messages (wall times), the shop time the clock showed then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.gateway_http import BuyerApi
from simulator.port import Observation
from simulator.watches import Conversation, OrderWatch, ReviewWatch

SWEEP_SECONDS = 60.0  # everything still open read again: only a safety net, the feed names what changed
REVIEW_SECONDS = 10.0  # reviews have no notification: a contact or a reply is found this often
_ORDER_DONE = ("completed", "cancelled", "closed")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class BuyerView:
    api: BuyerApi
    shop_time: Callable[[datetime], datetime]  # the shop's clock at a wall moment
    conversations: dict[str, Conversation] = field(default_factory=dict)
    orders: dict[str, OrderWatch] = field(default_factory=dict)
    reviews: dict[str, ReviewWatch] = field(default_factory=dict)
    seq: int | None = None
    swept: float = 0.0
    reviews_read: float = 0.0

    # -- what the buyers did (the port tells us) ----------------------------------------------------------------
    def conversation_opened(self, buyer: str, ticket: dict[str, Any]) -> None:
        watch = self.conversations.setdefault(ticket["id"], Conversation(buyer))
        watch.seen.update(m["id"] for m in ticket.get("messages") or [] if m.get("author") != "agent")

    def order_placed(self, buyer: str, order_id: str) -> None:
        self.orders.setdefault(order_id, OrderWatch(buyer))

    def after_sale_opened(self, order_id: str, what: str, ident: str) -> None:
        self.orders[order_id].after_sale[ident] = (what, "requested")

    def dispute_opened(self, order_id: str, dispute_id: str) -> None:
        if order_id in self.orders:
            self.orders[order_id].disputes.setdefault(dispute_id, (False, False))

    def review_posted(self, buyer: str, order_id: str, review_id: str) -> None:
        self.reviews.setdefault(review_id, ReviewWatch(buyer, order_id))

    # -- observe --------------------------------------------------------------------------------------------------
    def observe(self) -> list[Observation]:
        tickets, orders, everything = self._changed()
        now = time.monotonic()
        if everything or now - self.swept >= SWEEP_SECONDS:
            self.swept = now
            tickets = {t for t, w in self.conversations.items() if w.status != "closed"}
            orders = {o for o, w in self.orders.items() if w.state not in _ORDER_DONE or w.after_sale or w.disputes}
        reviews: Iterable[str] = ()
        if now - self.reviews_read >= REVIEW_SECONDS:
            self.reviews_read = now
            reviews = [r for r, w in self.reviews.items() if not w.replied or len(w.contacts) < 3]
        seen: list[Observation] = []
        for ticket_id in sorted(tickets & self.conversations.keys()):
            seen += self._ticket(ticket_id)
        for order_id in sorted(orders & self.orders.keys()):
            seen += self._order(order_id)
        for review_id in sorted(reviews):
            seen += self._review(review_id)
        return seen

    def _changed(self) -> tuple[set[str], set[str], bool]:
        feed = self.api.call("GET", "/feed", params={"after": self.seq} if self.seq is not None else None)
        first = self.seq is None
        self.seq = feed["seq"]
        tickets, orders = set(), set()
        for item in feed["items"]:
            ids = item.get("ids") or {}
            if ids.get("ticket_id"):
                tickets.add(ids["ticket_id"])
            if ids.get("order_id"):
                orders.add(ids["order_id"])
        return tickets, orders, first or not feed["complete"]

    def _ticket(self, ticket_id: str) -> list[Observation]:
        watch = self.conversations[ticket_id]
        ticket = self.api.call("GET", f"/tickets/{ticket_id}", watch.buyer)
        seen: list[Observation] = []
        waiting_since: datetime | None = None
        for message in ticket.get("messages") or []:
            wall = _time(message["created_at"]) or datetime.now(UTC)
            if message["author"] == "buyer":
                waiting_since = waiting_since or wall
            elif message["author"] == "agent" or message.get("kind") == "auto_reply":
                auto = message.get("kind") == "auto_reply"
                if message["id"] not in watch.seen:
                    delay = (wall - waiting_since).total_seconds() if waiting_since and not auto else None
                    seen.append(
                        self._seen(
                            "reply",
                            watch.buyer,
                            wall,
                            conversation_id=ticket_id,
                            text=message["body"],
                            facts={"wall_delay_seconds": delay, "auto": auto, "agent_id": message.get("agent_id")},
                        )
                    )
                if not auto:
                    waiting_since = None
            watch.seen.add(message["id"])
        status = ticket.get("status", watch.status)
        if status in ("resolved", "closed") and watch.status not in ("resolved", "closed"):
            wall = _time(ticket.get("resolved_at") or ticket.get("closed_at")) or datetime.now(UTC)
            seen.append(self._seen("ticket_resolved", watch.buyer, wall, conversation_id=ticket_id))
        watch.status = status
        return seen

    def _seen(self, kind: str, buyer: str, wall: datetime, **fields: Any) -> Observation:
        return Observation(kind=kind, buyer=buyer, at=self.shop_time(wall), wall_at=wall, **fields)

    def _at(self, kind: str, buyer: str, at: datetime | None, **fields: Any) -> Observation:
        """An observation at a shop time the service recorded (wall time: now, when it was read)."""
        now = datetime.now(UTC)
        return Observation(kind=kind, buyer=buyer, at=at or self.shop_time(now), wall_at=now, **fields)

    def _order(self, order_id: str) -> list[Observation]:
        watch = self.orders[order_id]
        order = self.api.call("GET", f"/orders/{order_id}", watch.buyer)
        seen: list[Observation] = []
        if order.get("reminder_count", 0) > watch.reminders:
            reminders = self.api.call("GET", f"/orders/{order_id}/reminders", watch.buyer)
            for number, reminder in enumerate(sorted(reminders, key=lambda r: r["sent_at"]), start=1):
                if number > watch.reminders:
                    seen.append(
                        self._at(
                            "reminder",
                            watch.buyer,
                            _time(reminder["sent_at"]),
                            order_id=order_id,
                            text=reminder["text"],
                            facts={
                                "channel": reminder["channel"],
                                "number": number,
                                "agent_id": reminder.get("sent_by"),
                            },
                        )
                    )
            watch.reminders = max(watch.reminders, len(reminders))
        if order["state"] == "cancelled" and watch.state != "cancelled":
            seen.append(
                self._at(
                    "order_cancelled",
                    watch.buyer,
                    _time(order.get("cancelled_at")),
                    order_id=order_id,
                    facts={"reason": order.get("cancel_reason")},
                )
            )
        if order.get("shipped_at"):
            seen += self._parcels(order_id, watch)
        if order.get("delivered_at") and not watch.delivered:
            watch.delivered = True
            seen.append(self._at("delivered", watch.buyer, _time(order["delivered_at"]), order_id=order_id))
        watch.state = order["state"]
        if watch.after_sale:
            seen += self._after_sale(order_id, watch)
        if watch.disputes:
            seen += self._disputes(order_id, watch)
        return seen

    def _parcels(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        tracking = self.api.call("GET", f"/orders/{order_id}/tracking", watch.buyer)
        seen: list[Observation] = []
        for parcel in tracking.get("shipments") or []:
            shipment = parcel["shipment"]
            if shipment["id"] not in watch.shipments:
                watch.shipments.add(shipment["id"])
                again = shipment.get("replaces_shipment_id") or shipment.get("kind") not in (None, "original")
                kind = "reshipped" if again else "shipped"
                facts = {
                    "carrier": shipment["carrier"],
                    "tracking_no": shipment["tracking_no"],
                    "expected_by": _time(parcel.get("estimated_delivery_to")),
                    "late": bool(shipment.get("late")),
                }
                seen.append(self._at(kind, watch.buyer, _time(shipment["shipped_at"]), order_id=order_id, facts=facts))
            for event in parcel.get("events") or []:
                key = (shipment["id"], f"{event['status']}@{event['occurred_at']}")
                if event.get("kind") == "exception" and key not in watch.exceptions:
                    watch.exceptions.add(key)
                    seen.append(
                        self._at(
                            "parcel_exception",
                            watch.buyer,
                            _time(event["occurred_at"]),
                            order_id=order_id,
                            facts={"kind": event["status"]},
                        )
                    )
        return seen

    def _after_sale(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        seen: list[Observation] = []
        rows = {}
        for what in {what for what, _ in watch.after_sale.values()}:
            rows.update({row["id"]: row for row in self.api.call("GET", f"/orders/{order_id}/{what}s", watch.buyer)})
        for ident, (what, was) in list(watch.after_sale.items()):
            row = rows.get(ident)
            if row is None or row["status"] == was:
                continue
            watch.after_sale[ident] = (what, row["status"])
            decided = _time(row.get("decided_at"))
            if was == "requested" and row["status"] != "requested" and row.get("decided_at"):
                decision = "rejected" if row["status"] == "rejected" else "approved"
                return_id = ident if what == "return" and decision == "approved" else None
                facts = {"decision": decision, "return_id": return_id, "agent_id": row.get("decided_by")}
                seen.append(
                    self._at(
                        "refund_decided",
                        watch.buyer,
                        decided,
                        order_id=order_id,
                        ref=ident,
                        text=row.get("decision_note") or "",
                        facts=facts,
                    )
                )
            if row["status"] in ("completed", "refunded"):
                amount = row.get("amount")
                seen.append(
                    self._at(
                        "refunded",
                        watch.buyer,
                        _time(row.get("completed_at")),
                        order_id=order_id,
                        ref=ident,
                        facts={"amount": amount},
                    )
                )
        return seen

    def _disputes(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        seen: list[Observation] = []
        for dispute in self.api.call("GET", "/disputes", watch.buyer):
            if dispute["id"] not in watch.disputes:
                continue
            proposed, ruled = watch.disputes[dispute["id"]]
            proposal, ruling = dispute.get("proposal"), dispute.get("ruling")
            if proposal and not proposed:
                seen.append(
                    self._at(
                        "dispute_proposed",
                        watch.buyer,
                        _time(dispute.get("seller_responded_at")),
                        order_id=order_id,
                        ref=dispute["id"],
                        text=proposal.get("note") or "",
                        facts={
                            "proposal": proposal["kind"],
                            "amount": proposal.get("amount"),
                            "agent_id": proposal.get("agent_id"),
                        },
                    )
                )
            if ruling and not ruled:
                seen.append(
                    self._at(
                        "dispute_ruled",
                        watch.buyer,
                        _time(ruling.get("ruled_at")),
                        order_id=order_id,
                        ref=dispute["id"],
                        facts={"outcome": ruling["outcome"], "amount": ruling.get("refund_amount")},
                    )
                )
            watch.disputes[dispute["id"]] = (bool(proposal), bool(ruling))
        return seen

    def _review(self, review_id: str) -> list[Observation]:
        watch = self.reviews[review_id]
        review = self.api.call("GET", f"/reviews/{review_id}", watch.buyer)
        seen: list[Observation] = []
        for contact in review.get("contacts") or []:
            if contact["id"] not in watch.contacts:
                watch.contacts.add(contact["id"])
                seen.append(
                    self._at(
                        "review_contact",
                        watch.buyer,
                        _time(contact["contacted_at"]),
                        order_id=watch.order_id,
                        ref=review_id,
                        text=contact.get("note") or "",
                        facts={"agent_id": contact.get("agent_id")},
                    )
                )
        reply = review.get("reply")
        if reply and not watch.replied:
            watch.replied = True
            seen.append(
                self._at(
                    "review_reply",
                    watch.buyer,
                    _time(reply.get("replied_at")),
                    order_id=watch.order_id,
                    ref=review_id,
                    text=reply.get("text") or "",
                    facts={"agent_id": reply.get("agent_id")},
                )
            )
        return seen
