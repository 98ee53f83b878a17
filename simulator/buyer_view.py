"""What a shop's buyers can see, read back from the buyer API: the ``observe`` half of the HTTP port.

The adapter remembers what its buyers have in the shop (conversations, orders, refunds and returns, disputes,
reviews) and what of it they have already seen. ``observe`` asks the gateway's buyer feed which of those changed since
the last look (``GET .../feed?after=<seq>``: the shop's live notifications, "look again" with ids) and reads only
those again; every ``SWEEP_SECONDS`` (and when the feed lost some notifications) it reads everything still open; the
reviews, which have no notification (a contact, the shop's reply), every ``REVIEW_SECONDS``. Each difference becomes
an ``Observation`` at the moment the shop recorded it: shop times the services give (``*_at`` of orders, parcels,
refunds, disputes, reviews) and, for messages (wall times), the shop time the clock showed then.

Care items (客户关怀: crm's care task, opened in the queue by the tickets service) are conversations the shop opens,
not the buyer: the feed names their kind and customer, so a care item of one of this port's buyers is watched from
the notification that names it (when notifications were lost, each buyer's care items are listed again). What the
student writes there before the buyer says anything is a ``care_message``; once the buyer answers, what follows is a
``reply`` like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.gateway_http import BuyerApi
from simulator.order_view import OrderReads, parse_time
from simulator.port import Observation
from simulator.watches import Conversation, OrderWatch, ReviewWatch

SWEEP_SECONDS = 60.0  # everything still open read again: only a safety net, the feed names what changed
REVIEW_SECONDS = 10.0  # reviews have no notification: a contact or a reply is found this often
_ORDER_DONE = ("completed", "cancelled", "closed")


@dataclass
class BuyerView(OrderReads):
    api: BuyerApi
    shop_time: Callable[[datetime], datetime]  # the shop's clock at a wall moment
    conversations: dict[str, Conversation] = field(default_factory=dict)
    orders: dict[str, OrderWatch] = field(default_factory=dict)
    reviews: dict[str, ReviewWatch] = field(default_factory=dict)
    buyers: set[str] = field(default_factory=set)  # the customers this port registered: whose care items to watch
    seq: int | None = None
    swept: float = 0.0
    reviews_read: float = 0.0

    # -- what the buyers did (the port tells us) ----------------------------------------------------------------
    def buyer_registered(self, buyer: str) -> None:
        self.buyers.add(buyer)

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
                if ids.get("kind") == "care":
                    self._care_item(ids["ticket_id"], ids.get("customer_id"))
            if ids.get("order_id"):
                orders.add(ids["order_id"])
        if not first and not feed["complete"]:
            self._find_care_items()
        return tickets, orders, first or not feed["complete"]

    def _care_item(self, ticket_id: str, customer_id: str | None) -> None:
        """Watch a care item the shop opened for one of our buyers (the feed is shop-wide: others' are not ours)."""
        if customer_id in self.buyers and ticket_id not in self.conversations:
            self.conversations[ticket_id] = Conversation(customer_id, care=True)

    def _find_care_items(self) -> None:
        """The notifications of some care items may be lost: each buyer's own are listed (the buyer API shows a
        customer only theirs). Rare (Redis restarted, or over 500 notifications missed), so one call per buyer."""
        for buyer in sorted(self.buyers):
            page = self.api.call("GET", "/tickets", buyer, params={"kind": "care", "limit": 50})
            for ticket in page["items"] if isinstance(page, dict) else page:
                self._care_item(ticket["id"], buyer)

    def _ticket(self, ticket_id: str) -> list[Observation]:
        watch = self.conversations[ticket_id]
        ticket = self.api.call("GET", f"/tickets/{ticket_id}", watch.buyer)
        seen: list[Observation] = []
        waiting_since: datetime | None = None
        for message in ticket.get("messages") or []:
            wall = parse_time(message["created_at"]) or datetime.now(UTC)
            if message["author"] == "buyer":
                waiting_since = waiting_since or wall
            elif message["author"] == "agent" or message.get("kind") == "auto_reply":
                auto = message.get("kind") == "auto_reply"
                if message["id"] not in watch.seen and watch.care and waiting_since is None and not auto:
                    seen.append(self._care_message(ticket, message, watch.buyer, wall))  # the shop spoke first
                elif message["id"] not in watch.seen:
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
            wall = parse_time(ticket.get("resolved_at") or ticket.get("closed_at")) or datetime.now(UTC)
            seen.append(self._seen("ticket_resolved", watch.buyer, wall, conversation_id=ticket_id))
        watch.status = status
        return seen

    def _care_message(self, ticket: dict[str, Any], message: dict[str, Any], buyer: str, wall: datetime
                      ) -> Observation:  # fmt: skip
        """The student's care message (a greeting, a follow-up, a win-back), as the in-memory desk shows one."""
        facts = {"channel": ticket.get("channel") or "platform_message", "agent_id": message.get("agent_id")}
        return self._seen(
            "care_message", buyer, wall, conversation_id=ticket["id"], order_id=ticket.get("order_id"),
            text=message["body"], facts=facts,
        )  # fmt: skip

    def _seen(self, kind: str, buyer: str, wall: datetime, **fields: Any) -> Observation:
        return Observation(kind=kind, buyer=buyer, at=self.shop_time(wall), wall_at=wall, **fields)

    def _at(self, kind: str, buyer: str, at: datetime | None, **fields: Any) -> Observation:
        """An observation at a shop time the service recorded (wall time: now, when it was read)."""
        now = datetime.now(UTC)
        return Observation(kind=kind, buyer=buyer, at=at or self.shop_time(now), wall_at=now, **fields)

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
                        parse_time(contact["contacted_at"]),
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
                    parse_time(reply.get("replied_at")),
                    order_id=watch.order_id,
                    ref=review_id,
                    text=reply.get("text") or "",
                    facts={"agent_id": reply.get("agent_id")},
                )
            )
        return seen
