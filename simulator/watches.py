"""What the HTTP port remembers of each thing its buyers have in a shop, and how much of it they have seen
(``simulator.buyer_view`` turns the differences into observations)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Conversation:
    buyer: str
    seen: set[int] = field(default_factory=set)
    status: str = "open"
    care: bool = False  # a care item the shop opened for the buyer (crm's care task): the shop speaks first


@dataclass
class OrderWatch:
    buyer: str
    state: str = "unpaid"
    reminders: int = 0
    shipments: set[str] = field(default_factory=set)
    exceptions: set[tuple[str, str]] = field(default_factory=set)
    delivered: bool = False
    after_sale: dict[str, tuple[str, str]] = field(default_factory=dict)  # refund/return id -> (what, status seen)
    disputes: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # id -> (proposal seen, ruling seen)


@dataclass
class ReviewWatch:
    buyer: str
    order_id: str
    contacts: set[int] = field(default_factory=set)
    replied: bool = False
