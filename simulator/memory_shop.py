"""An in-memory stand-in for a shop behind the buyer API: the unit tests' fake of ``ShopPort`` and the planning
benchmark's shop. It keeps just enough of the real rules (states, one dispute per order, one revision, a payment
window) for buyers to meet the same refusals; it is not the shop, and the running simulator never uses it.
The staff's side (replies, reminders, shipping, decisions) is ``simulator.memory_desk``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from simulator.port import Checkpoint, Injection, Observation, OrderLine, OrderView, Product, Refused

CATALOG_DIR = Path(__file__).resolve().parent.parent / "services" / "orders" / "catalog"


@cache
def demo_catalog(platform: str) -> tuple[Product, ...]:
    """The platform's demo catalog, read from the orders service's data file (one SKU per product here)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load((CATALOG_DIR / f"{platform}.yaml").read_text(encoding="utf-8"), Loader=loader)
    return tuple(
        Product(
            item["id"], item["title"], item["title_zh"], item["category"], str(item["price"]), (f"{item['id']}-STD",)
        )
        for item in raw["products"]
    )


@dataclass
class MemoryOrder:
    id: str
    number: str
    buyer: str
    lines: tuple[OrderLine, ...]
    total: str
    placed_at: datetime
    pay_by: datetime
    state: str = "unpaid"
    failure_reason: str | None = None
    reminders: int = 0
    shipped_at: datetime | None = None
    deliver_at: datetime | None = None  # when the parcel will arrive (None: lost)
    checkpoints: list[Checkpoint] = field(default_factory=list)

    def view(self, currency: str) -> OrderView:
        return OrderView(
            self.id, self.number, self.state, self.total, currency, self.placed_at, self.pay_by, self.lines
        )


@dataclass
class MemoryConversation:
    id: str
    buyer: str
    kind: str
    order_id: str | None
    status: str = "open"
    waiting_since_wall: datetime | None = None  # the oldest unanswered buyer message
    messages: list[tuple[str, str]] = field(default_factory=list)  # (author, text)


class MemoryShop:
    """One shop's state. The harness moves its clocks (``set_clock``) and the desk acts as the staff."""

    def __init__(self, platform: str, profile: Mapping[str, Any], start: datetime) -> None:
        self.platform = platform
        self.profile = profile
        self.start = start
        self.now = start  # the shop's clock
        self.wall = start  # the wall clock
        self.products = demo_catalog(platform)
        self.customers: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, MemoryOrder] = {}
        self.conversations: dict[str, MemoryConversation] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.reviews: dict[str, dict[str, Any]] = {}
        self.observations: list[Observation] = []
        self.events: list[tuple[Any, ...]] = []  # normalised: (scenario seconds, what, buyer, details)
        self.injections: list[Injection] = []

    # -- harness ------------------------------------------------------------------------------------------------
    def set_clock(self, now: datetime, wall: datetime) -> None:
        self.now, self.wall = now, wall

    def event(self, what: str, buyer: str | None, **details: Any) -> None:
        self.events.append((int((self.now - self.start).total_seconds()), what, buyer, tuple(sorted(details.items()))))

    def show(self, kind: str, buyer: str, **fields: Any) -> None:
        """Something the buyer can now see."""
        self.observations.append(Observation(kind=kind, buyer=buyer, at=self.now, wall_at=self.wall, **fields))

    def _order(self, buyer: str, order_id: str) -> MemoryOrder:
        order = self.orders.get(order_id)
        if order is None or order.buyer != buyer:
            raise Refused(404, "no such order")
        return order

    # -- the buyer's side (ShopPort) ----------------------------------------------------------------------------
    def register_buyer(self, card: Mapping[str, Any]) -> None:
        self.customers[card["customer_id"]] = dict(card)

    def browse(self, buyer: str, category: str | None = None) -> Sequence[Product]:
        return [product for product in self.products if category in (None, product.category)]

    def open_conversation(self, buyer: str, text: str, language: str, *, kind: str, order_id: str | None) -> str:
        conversation = MemoryConversation(f"c{len(self.conversations) + 1}", buyer, kind, order_id)
        self.conversations[conversation.id] = conversation
        self._buyer_says(conversation, text)
        self.event("conversation_opened", buyer, kind=kind)
        return conversation.id

    def write_message(self, buyer: str, conversation_id: str, text: str) -> None:
        conversation = self.conversations.get(conversation_id)
        if conversation is None or conversation.buyer != buyer:
            raise Refused(404, "no such conversation")
        if conversation.status == "closed":
            raise Refused(409, "closed")
        conversation.status = "open"
        self._buyer_says(conversation, text)
        self.event("message", buyer)

    def _buyer_says(self, conversation: MemoryConversation, text: str) -> None:
        conversation.messages.append(("buyer", text))
        if conversation.waiting_since_wall is None:
            conversation.waiting_since_wall = self.wall

    def rate_conversation(self, buyer: str, conversation_id: str, score: int, comment: str) -> None:
        self.event("rated", buyer, score=score)

    def place_order(self, buyer: str, lines: Sequence[OrderLine]) -> OrderView:
        prices = {sku: product.price for product in self.products for sku in product.skus}
        if any(line.sku not in prices for line in lines):
            raise Refused(422, "unknown sku")
        total = sum(float(prices[line.sku]) * line.quantity for line in lines)
        number = f"{self.now:%y%m%d}{len(self.orders) + 1:012d}"
        pay_by = self.now + timedelta(hours=self.profile["payment_timeout_hours"])
        order = MemoryOrder(f"o{len(self.orders) + 1}", number, buyer, tuple(lines), f"{total:.2f}", self.now, pay_by)
        self.orders[order.id] = order
        self.event("order_placed", buyer, total=order.total)
        return order.view(self.profile["currency"])

    def pay(self, buyer: str, order_id: str, method: str, *, succeed: bool, failure_reason: str | None) -> OrderView:
        order = self._order(buyer, order_id)
        if order.state != "unpaid":
            raise Refused(409, f"order is {order.state}")
        if self.now > order.pay_by:
            raise Refused(409, "payment window closed")
        if succeed:
            order.state = "paid"
            self.event("order_paid", buyer, reminded=order.reminders > 0)
        else:
            order.failure_reason = failure_reason
            self.event("payment_failed", buyer, reason=failure_reason)
        return order.view(self.profile["currency"])

    def cancel_order(self, buyer: str, order_id: str) -> OrderView:
        order = self._order(buyer, order_id)
        if order.state not in ("unpaid", "paid"):
            raise Refused(409, f"order is {order.state}")
        order.state = "cancelled"
        self.event("order_cancelled", buyer, by="buyer")
        return order.view(self.profile["currency"])

    def track(self, buyer: str, order_id: str) -> Sequence[Checkpoint]:
        return [point for point in self._order(buyer, order_id).checkpoints if point.at <= self.now]

    def confirm_receipt(self, buyer: str, order_id: str) -> None:
        order = self._order(buyer, order_id)
        if order.state != "delivered":
            raise Refused(409, f"order is {order.state}")
        order.state = "completed"
        self.event("receipt_confirmed", buyer)

    def request_refund(self, buyer: str, order_id: str, *, kind: str, reason: str, note: str) -> str:
        order = self._order(buyer, order_id)
        if order.state in ("unpaid", "cancelled"):
            raise Refused(409, f"order is {order.state}")
        refund_id = f"r{len(self.refunds) + 1}"
        self.refunds[refund_id] = {
            "order": order.id,
            "buyer": buyer,
            "kind": kind,
            "reason": reason,
            "status": "requested",
            "return": None,
        }
        self.event("refund_requested", buyer, kind=kind, reason=reason)
        return refund_id

    def ship_back(self, buyer: str, order_id: str, return_id: str, carrier: str, tracking_no: str) -> None:
        refund = next((r for r in self.refunds.values() if r["return"] == return_id and r["buyer"] == buyer), None)
        if refund is None or refund["status"] != "approved":
            raise Refused(409, "no approved return")
        refund["status"] = "shipped_back"
        self.event("return_shipped", buyer, carrier=carrier)

    def open_dispute(self, buyer: str, order_id: str, *, reason: str, amount: str, statement: str) -> str:
        order = self._order(buyer, order_id)
        if any(dispute["order"] == order.id for dispute in self.disputes.values()):
            raise Refused(409, "a dispute is open on this order")
        dispute_id = f"d{len(self.disputes) + 1}"
        self.disputes[dispute_id] = {
            "order": order.id,
            "buyer": buyer,
            "reason": reason,
            "amount": amount,
            "status": "awaiting_seller",
        }
        self.event("dispute_opened", buyer, reason=reason)
        return dispute_id

    def answer_dispute(self, buyer: str, dispute_id: str, *, accept: bool, note: str) -> None:
        dispute = self.disputes.get(dispute_id)
        if dispute is None or dispute["buyer"] != buyer or dispute["status"] != "awaiting_buyer":
            raise Refused(409, "no proposal to answer")
        dispute["status"] = "settled" if accept else "negotiating"
        self.event("dispute_answered", buyer, accept=accept)

    def post_review(
        self, buyer: str, order_id: str, sku: str, *, stars: int, scores: Mapping[str, int], text: str
    ) -> str:
        order = self._order(buyer, order_id)
        if order.state not in ("delivered", "completed"):
            raise Refused(409, f"order is {order.state}")
        review_id = f"v{len(self.reviews) + 1}"
        self.reviews[review_id] = {
            "order": order.id,
            "buyer": buyer,
            "stars": stars,
            "revised": False,
            "posted_at": self.now,
        }
        self.event("review_posted", buyer, stars=stars)
        return review_id

    def revise_review(self, buyer: str, review_id: str, *, stars: int, scores: Mapping[str, int], text: str) -> None:
        review = self.reviews.get(review_id)
        if review is None or review["buyer"] != buyer or review["revised"]:
            raise Refused(409, "cannot revise")
        review.update(stars=stars, revised=True)
        self.event("review_revised", buyer, stars=stars)

    def observe(self, cursor: str | None) -> tuple[Sequence[Observation], str | None]:
        start = int(cursor or 0)
        return self.observations[start:], str(len(self.observations))

    def inject(self, injection: Injection) -> Mapping[str, str]:
        """The instructor's side of an injection: it happens in the shop as specified, and is recorded."""
        self.injections.append(injection)
        self.event("injection", injection.buyer, kind=injection.kind)
        buyer, kind = injection.buyer or "", injection.kind
        if kind == "dispute":
            return {
                "dispute_id": self.open_dispute(
                    buyer,
                    injection.order_id or "",
                    reason=injection.reason or "other",
                    amount=injection.amount or "0",
                    statement=injection.text,
                )
            }
        if kind == "one_star_review":
            return {
                "review_id": self.post_review(
                    buyer, injection.order_id or "", injection.sku or "", stars=1, scores={}, text=injection.text
                )
            }
        if kind in ("lost_parcel", "customs_hold"):
            self.parcel_exception(injection.order_id or "", kind.removesuffix("_parcel"))
            return {}
        if kind == "angry_message":
            conversation = self.open_conversation(
                buyer, injection.text, injection.language or "en", kind="complaint", order_id=injection.order_id
            )
            return {"conversation_id": conversation}
        if kind == "failed_payment":
            self.pay(buyer, injection.order_id or "", "card", succeed=False, failure_reason=injection.reason)
            return {}
        if kind == "presale_flood":
            return {
                message["buyer"]: self.open_conversation(
                    message["buyer"], message["text"], message["language"], kind="pre_sale", order_id=None
                )
                for message in injection.messages
            }
        raise Refused(422, f"unknown injection {kind}")

    # -- the world's side: parcels -------------------------------------------------------------------------------
    def parcel_exception(self, order_id: str, kind: str, delay_hours: float = 48) -> None:
        """A tracking exception: lost parcels never arrive, holds and delays push the delivery back."""
        order = self.orders.get(order_id)
        if order is None or order.state != "shipped":
            raise Refused(409, "the parcel is not in transit")
        order.checkpoints.append(Checkpoint(self.now, kind))
        if kind in ("lost", "returned_to_sender"):
            order.deliver_at = None
        elif kind != "damaged" and order.deliver_at is not None:
            order.deliver_at += timedelta(hours=delay_hours)
        self.show("parcel_exception", order.buyer, order_id=order.id, facts={"kind": kind})
        self.event("parcel_exception", order.buyer, kind=kind)

    def advance(self) -> None:
        """The shop's own timers at its current time: unpaid orders expire, parcels arrive."""
        for order in self.orders.values():
            if order.state == "unpaid" and self.now > order.pay_by:
                order.state = "cancelled"
                self.show("order_cancelled", order.buyer, order_id=order.id, facts={"reason": "unpaid_timeout"})
                self.event("order_cancelled", order.buyer, by="unpaid_timeout")
            elif order.state == "shipped" and order.deliver_at is not None and self.now >= order.deliver_at:
                order.state = "delivered"
                order.checkpoints.append(Checkpoint(order.deliver_at, "delivered"))
                self.show("delivered", order.buyer, order_id=order.id)
                self.event("delivered", order.buyer)
