"""A buyer's journey through the shop: one visit from browsing to the review, with what the buyer went through.

The journey is plain state; the steps that move it are in ``simulator.behaviour``. What the buyer experienced
(``Experience``) is what their ratings, reviews and patience are computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulator.port import OrderView, Product
from simulator.text_bank import Question


@dataclass
class Experience:
    first_reply_seconds: float | None = None  # people's time
    rounds_answered: int = 0
    rounds_over_target: int = 0
    rounds_over_patience: int = 0
    scores: list[float] = field(default_factory=list)
    apology_missing: bool = False
    rule_broken: bool = False  # a reply broke the platform's forbidden-content rules
    problem: str | None = None  # what went wrong: damaged, wrong_size, not_received ...
    solved: bool | None = None  # None: no problem; False: still unsolved
    late_ratio: float | None = None  # delivery time / promised time (above 1: late)
    parcel_exception: str | None = None
    disputed: bool = False

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None


@dataclass
class OrderFacts:
    view: OrderView
    ordered_at: datetime  # when the buyer ordered (their own step's moment, free of the shop's recording lag)
    failure_reason: str | None = None
    reminders: list[datetime] = field(default_factory=list)  # shop times of reminders seen
    paid: bool = False
    pay_planned_at: datetime | None = None
    cancelled: bool = False
    shipped_at: datetime | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    expected_by: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def id(self) -> str:
        return self.view.id


@dataclass
class Journey:
    id: str  # "j0012": the arrival's number, the same in every shop
    buyer: str
    started_at: datetime
    mode: str = "browse"  # browse | ask (must ask first: a pre-sale flood) | order (goes straight to the order)
    state: str = "browsing"
    product: Product | None = None
    question: Question | None = None
    questions_asked: int = 0
    conversation_id: str | None = None
    conversation_kind: str | None = None  # pre_sale, order, complaint: a new subject opens a new conversation
    purpose: str = "pre_sale"  # what the buyer's open conversation is about (the reply rubric's purpose)
    waiting: bool = False  # a message of the buyer's waits for an answer
    round: int = 0  # rounds of the conversation so far (0: the first)
    nudges: int = 0
    order: OrderFacts | None = None
    forced_failure: str | None = None  # an injected payment failure
    refund_id: str | None = None
    return_id: str | None = None
    refund_decided: bool = False
    dispute_id: str | None = None
    review_id: str | None = None
    review_stars: int | None = None
    review_posted_at: datetime | None = None
    revised: bool = False
    contacts: int = 0  # contacts about the review seen
    experience: Experience = field(default_factory=Experience)
    flags: set[str] = field(default_factory=set)
    steps_planned: int = 0  # a tie-break for steps due at the same moment, in the journey's own order

    @property
    def over(self) -> bool:
        return self.state in ("left", "cancelled", "done")

    def slots(self, language: str) -> dict[str, Any]:
        """The placeholders of the buyer's texts: product, order number, tracking number."""
        slots: dict[str, Any] = {}
        if self.product:
            slots["product"] = self.product.title_zh if language == "zh" else self.product.title
        if self.order:
            slots["order_no"] = self.order.view.number
            slots["tracking_no"] = self.order.tracking_no
        return slots
