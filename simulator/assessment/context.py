"""What a buyer knows when they read a reply, and so what the reply is checked against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Facts a reply may be asked to mention, in groups: any member of a group names it.
FACT_GROUPS: dict[str, tuple[str, ...]] = {
    "order": ("order_no", "product"),
    "tracking": ("tracking_no", "carrier"),
    "amount": ("amount",),
}

# What the reply answers: chat rounds in a conversation, or a message that stands alone (a payment reminder, a care
# message, a contact about a review, a refund decision's note).
PURPOSES = (
    "pre_sale",
    "order",
    "logistics",
    "after_sale",
    "complaint",
    "payment_reminder",
    "review_contact",
    "care",
    "refund_decision",
    "dispute_proposal",
)
STANDALONE = frozenset({"payment_reminder", "review_contact", "care", "refund_decision", "dispute_proposal"})


@dataclass(frozen=True)
class ReplyContext:
    language: str  # the language the buyer writes in (and reads)
    purpose: str
    buyer_names: tuple[str, ...] = ()  # full name, given name, family name
    round_index: int = 0  # 0: the conversation's first reply
    # order_no, product (in the buyer's language), product_alt (its other title), tracking_no, carrier, amount
    facts: Mapping[str, Any] = field(default_factory=dict)
    facts_due: tuple[str, ...] = ()  # groups of FACT_GROUPS the reply should name
    apology_due: bool = False
    solution_due: bool = False
    expects: tuple[str, ...] = ()  # words an answer to the buyer's question would use
    question_topic: str | None = None
    failure_reason: str | None = None  # the payment failure a reminder should address
    forbidden_rules: tuple[Mapping[str, Any], ...] = ()  # the profile's forbidden_content

    def __post_init__(self) -> None:
        if self.purpose not in PURPOSES:
            raise ValueError(f"unknown reply purpose {self.purpose!r}")
        unknown = set(self.facts_due) - set(FACT_GROUPS)
        if unknown:
            raise ValueError(f"unknown fact groups {sorted(unknown)}")

    @property
    def standalone(self) -> bool:
        return self.purpose in STANDALONE

    @property
    def opens(self) -> bool:
        """A reply that opens an exchange: it should greet and address the buyer."""
        return self.standalone or self.round_index == 0
