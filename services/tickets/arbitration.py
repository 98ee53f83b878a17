"""The platform's side of a dispute: when it steps in, and how it rules — explicit rules, first match wins.

Plain functions of plain facts (amounts in minor units, times on the shop's clock), so each rule is unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

PROPOSALS = ("full_refund", "partial_refund", "return_and_refund", "reject")
OPEN = ("awaiting_seller", "awaiting_buyer", "negotiating")


@dataclass(frozen=True)
class CaseFacts:
    """What the platform looks at when it rules."""

    reason: str
    amount_requested_cents: int
    seller_responded_in_time: bool
    proposal_kind: str | None
    proposal_amount_cents: int | None
    buyer_evidence: tuple[str, ...]
    seller_evidence: tuple[str, ...]
    delivered: bool
    tracking_no: str | None


@dataclass(frozen=True)
class Ruling:
    outcome: str  # buyer | seller | split
    refund_cents: int
    with_return: bool
    reason: str


def half_of(cents: int) -> int:
    """Half an amount in whole minor units, an odd half-cent rounded to the even cent (banker's rounding): what
    the split has always paid (Decimal's default rounding), so neither side gains the half cent every time."""
    return round(Fraction(cents, 2))


def arbitrate(case: CaseFacts) -> Ruling:
    """The platform's rules, first match wins:

    1. the shop did not answer within its response window → buyer, the full amount asked;
    2. "not received": delivered with a tracking number → seller; otherwise → buyer, in full;
    3. the shop offered a full refund (or a return and refund) the buyer turned down → that offer stands;
    4. the buyer gave no evidence → seller;
    5. the shop rejected or under-offered without evidence → buyer in full (goods go back: with return);
    6. both gave evidence → split: the shop's partial offer, or half the amount asked (:func:`half_of`).
    """
    full = case.amount_requested_cents
    if not case.seller_responded_in_time:
        return Ruling("buyer", full, case.reason != "not_received", "no_seller_response")
    if case.reason == "not_received":
        if case.delivered and case.tracking_no:
            return Ruling("seller", 0, False, "delivered_with_tracking")
        return Ruling("buyer", full, False, "not_delivered")
    if case.proposal_kind in ("full_refund", "return_and_refund"):
        amount = case.proposal_amount_cents if case.proposal_amount_cents is not None else full
        return Ruling("buyer", amount, case.proposal_kind == "return_and_refund", "seller_offer_upheld")
    if not case.buyer_evidence:
        return Ruling("seller", 0, False, "no_buyer_evidence")
    if not case.seller_evidence:
        return Ruling("buyer", full, True, "seller_gave_no_evidence")
    if case.proposal_kind == "partial_refund" and case.proposal_amount_cents is not None:
        return Ruling("split", case.proposal_amount_cents, False, "partial_offer_upheld")
    return Ruling("split", half_of(full), False, "both_gave_evidence")


def escalation_due(dispute: Any, shop_now: datetime) -> str | None:
    """Why a dispute goes to the platform at ``shop_now``, or None: no answer in the response window, or no
    settlement by the end of the escalation window."""
    if dispute.status not in OPEN:
        return None
    if dispute.seller_responded_at is None and shop_now >= dispute.respond_by_at:
        return "no_seller_response"
    if shop_now >= dispute.escalate_at:
        return "window_elapsed"
    return None


def accepted_ruling(proposal_kind: str | None, amount_cents: int | None) -> Ruling:
    """The buyer accepted the shop's proposal: it is ruled as proposed, without the platform."""
    if proposal_kind == "reject":
        outcome = "seller"
    elif proposal_kind == "partial_refund":
        outcome = "split"
    else:
        outcome = "buyer"
    return Ruling(outcome, amount_cents or 0, proposal_kind == "return_and_refund", "buyer_accepted_proposal")
