"""The port: what a buyer can do in a shop and what they can see, and nothing more.

Phase 2 implements it over HTTP against the gateway's buyer API (``/api/v1/buyer/shops/<shop_id>/...``, a buyer key
per shop, the customer named by ``X-Customer-Id``); the unit tests use ``simulator.memory_shop``. Buyers are named by
their key (``b0007``), which is also their customer id in the shop. Money is the wire's two-place decimal string;
times are aware datetimes (``at``: the shop's clock; ``wall_at``: the wall clock).

A request the shop refuses (409 state, 422 input, 404 unknown) raises ``Refused``; a buyer takes it as a fact (paying
an order the shop has just cancelled) and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class Refused(Exception):
    """The shop said no: ``status`` 404, 409 or 422, with its reason."""

    def __init__(self, status: int, reason: str, fields: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.fields = dict(fields or {})


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    title_zh: str
    category: str
    price: str  # the cheapest SKU's price
    skus: tuple[str, ...]

    def as_slots(self) -> dict[str, str]:
        return {"title": self.title, "title_zh": self.title_zh}


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int = 1


@dataclass(frozen=True)
class OrderView:
    id: str
    number: str  # the order number the buyer and the agent quote
    state: str  # unpaid | paid | shipped | delivered | completed | cancelled
    total: str
    currency: str
    placed_at: datetime
    pay_by: datetime
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class Checkpoint:
    at: datetime
    status: str  # picked_up ... delivered, or an exception: delay, customs_hold, lost ...


@dataclass(frozen=True)
class Injection:
    """What the scenario (or an instructor) makes happen in the shop, fully specified by the simulator so that every
    shop of a class gets the same thing: the kind, where (buyer, order, conversation) and what (text, stars, reason)."""

    kind: str  # dispute | one_star_review | lost_parcel | customs_hold | angry_message | failed_payment | presale_flood
    buyer: str | None = None
    order_id: str | None = None
    sku: str | None = None
    text: str = ""
    language: str | None = None
    stars: int | None = None
    reason: str | None = None
    amount: str | None = None
    messages: tuple[Mapping[str, str], ...] = ()  # presale_flood: ({buyer, text, language}, ...)
    note: str | None = None  # the scenario's note for the instructor (kept with the gateway's record)


@dataclass(frozen=True)
class Observation:
    """Something a buyer can see that the shop (the student, the platform, an instructor) did.

    kinds and their ``facts``:
    ``reply`` (conversation_id, text; wall_delay_seconds: the round's wait, None when the round was answered already;
    auto: an automatic reply) · ``reminder`` (order_id, text; channel, number) · ``order_cancelled`` (order_id;
    reason) · ``shipped`` / ``reshipped`` (order_id; carrier, tracking_no, expected_by: the latest promised delivery)
    · ``parcel_exception`` (order_id; kind) · ``delivered`` (order_id) · ``refund_decided`` (order_id, ref: refund;
    text: the note; decision: approved | rejected, return_id) · ``refunded`` (order_id, ref; amount) ·
    ``ticket_resolved`` (conversation_id) · ``dispute_proposed`` (ref: dispute, order_id, text; proposal, amount) ·
    ``dispute_ruled`` (ref, order_id; outcome: buyer | seller | split, amount) · ``review_contact`` /
    ``review_reply`` (ref: review, order_id, text) · ``care_message`` (text; channel).
    """

    kind: str
    buyer: str
    at: datetime
    wall_at: datetime
    order_id: str | None = None
    conversation_id: str | None = None
    ref: str | None = None
    text: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)


class ShopPort(Protocol):
    """One shop, as its buyers see it. Every method acts as the buyer named by ``buyer`` (their key)."""

    def register_buyer(self, card: Mapping[str, Any]) -> None:
        """Make the buyer a customer of the shop (name, country, timezone, language, address); idempotent."""

    def browse(self, buyer: str, category: str | None = None) -> Sequence[Product]:
        """The catalog (or one category of it)."""

    def open_conversation(self, buyer: str, text: str, language: str, *, kind: str, order_id: str | None) -> str:
        """The buyer's first message opens a conversation (``kind``: pre_sale, order, complaint); its id."""

    def write_message(self, buyer: str, conversation_id: str, text: str) -> None:
        """Another message in the buyer's conversation (reopens a resolved one)."""

    def rate_conversation(self, buyer: str, conversation_id: str, score: int, comment: str) -> None:
        """Rate a resolved conversation 1-5, once."""

    def place_order(self, buyer: str, lines: Sequence[OrderLine]) -> OrderView:
        """Place an order (the buyer's registered address); the shop prices it."""

    def pay(self, buyer: str, order_id: str, method: str, *, succeed: bool, failure_reason: str | None) -> OrderView:
        """A payment attempt: succeeded, or failed with a reason (declined, insufficient_funds, 3ds_timeout ...)."""

    def cancel_order(self, buyer: str, order_id: str) -> OrderView:
        """The buyer cancels an unpaid (or paid, not shipped) order."""

    def track(self, buyer: str, order_id: str) -> Sequence[Checkpoint]:
        """What has happened to the order's parcels so far (查件)."""

    def confirm_receipt(self, buyer: str, order_id: str) -> None:
        """Confirm a delivered order."""

    def request_refund(self, buyer: str, order_id: str, *, kind: str, reason: str, note: str) -> str:
        """Ask for a full refund (``kind``: refund_only | return_and_refund) with a reason code; the refund's id."""

    def ship_back(self, buyer: str, order_id: str, return_id: str, carrier: str, tracking_no: str) -> None:
        """Send an approved return back."""

    def open_dispute(self, buyer: str, order_id: str, *, reason: str, amount: str, statement: str) -> str:
        """Open a dispute on the order (the platform's case); its id."""

    def answer_dispute(self, buyer: str, dispute_id: str, *, accept: bool, note: str) -> None:
        """Accept or reject the shop's proposal."""

    def post_review(
        self, buyer: str, order_id: str, sku: str, *, stars: int, scores: Mapping[str, int], text: str
    ) -> str:
        """Review one line of a delivered order (stars, dimension scores, text); the review's id."""

    def revise_review(self, buyer: str, review_id: str, *, stars: int, scores: Mapping[str, int], text: str) -> None:
        """The one revision of a neutral/negative review."""

    def observe(self, cursor: str | None) -> tuple[Sequence[Observation], str | None]:
        """What the shop's buyers can see that happened since ``cursor`` (None: from the start); the next cursor."""

    def inject(self, injection: Injection) -> Mapping[str, str]:
        """An instructor's or the scenario's injection (recorded by the gateway, sent on as ``injection.*``); the ids
        of what it created (conversation_id, review_id, dispute_id ...)."""
