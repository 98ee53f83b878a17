"""Disputes: the buyer's claim, the shop's proposal within its response window, the buyer's answer, and platform
arbitration by explicit rules when the window passes. Windows run on the shop's simulated clock.

Statuses: awaiting_seller → awaiting_buyer (a proposal) → settled (buyer accepted) | negotiating (buyer rejected;
the shop may propose again) → ruled (platform arbitration).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.tickets import conversations, routing
from services.tickets.models import Dispute, OrderFacts
from services.tickets.policy import policy_of
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext
from shoplab.shops.replica import get_shop

PROPOSALS = ("full_refund", "partial_refund", "return_and_refund", "reject")
OPEN = ("awaiting_seller", "awaiting_buyer", "negotiating")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CaseFacts:
    """What the platform looks at when it rules."""

    reason: str
    amount_requested: Decimal
    seller_responded_in_time: bool
    proposal_kind: str | None
    proposal_amount: Decimal | None
    buyer_evidence: tuple[str, ...]
    seller_evidence: tuple[str, ...]
    delivered: bool
    tracking_no: str | None


@dataclass(frozen=True)
class Ruling:
    outcome: str  # buyer | seller | split
    refund_amount: Decimal
    with_return: bool
    reason: str


def arbitrate(case: CaseFacts) -> Ruling:
    """The platform's rules, first match wins:

    1. the shop did not answer within its response window → buyer, the full amount asked;
    2. "not received": delivered with a tracking number → seller; otherwise → buyer, in full;
    3. the shop offered a full refund (or a return and refund) the buyer turned down → that offer stands;
    4. the buyer gave no evidence → seller;
    5. the shop rejected or under-offered without evidence → buyer in full (goods go back: with return);
    6. both gave evidence → split: the shop's partial offer, or half the amount asked.
    """
    full = case.amount_requested
    if not case.seller_responded_in_time:
        return Ruling("buyer", full, case.reason != "not_received", "no_seller_response")
    if case.reason == "not_received":
        if case.delivered and case.tracking_no:
            return Ruling("seller", Decimal("0.00"), False, "delivered_with_tracking")
        return Ruling("buyer", full, False, "not_delivered")
    if case.proposal_kind in ("full_refund", "return_and_refund"):
        amount = case.proposal_amount if case.proposal_amount is not None else full
        return Ruling("buyer", amount, case.proposal_kind == "return_and_refund", "seller_offer_upheld")
    if not case.buyer_evidence:
        return Ruling("seller", Decimal("0.00"), False, "no_buyer_evidence")
    if not case.seller_evidence:
        return Ruling("buyer", full, True, "seller_gave_no_evidence")
    if case.proposal_kind == "partial_refund" and case.proposal_amount is not None:
        return Ruling("split", case.proposal_amount, False, "partial_offer_upheld")
    return Ruling("split", (full / 2).quantize(CENT), False, "both_gave_evidence")


def escalation_due(dispute: Any, sim_now: datetime) -> str | None:
    """Why a dispute goes to the platform at ``sim_now``, or None: no answer in the response window, or no
    settlement by the end of the escalation window."""
    if dispute.status not in OPEN:
        return None
    if dispute.seller_responded_at is None and sim_now >= dispute.respond_by:
        return "no_seller_response"
    if sim_now >= dispute.escalate_at:
        return "window_elapsed"
    return None


def get_dispute(session: Session, shop_id: str, dispute_id: str) -> Dispute:
    dispute = session.scalar(select(Dispute).where(Dispute.shop_id == shop_id, Dispute.id == dispute_id))
    if dispute is None:
        raise NotFound(f"no dispute {dispute_id} in shop {shop_id}", {"dispute_id": ["unknown dispute"]})
    return dispute


def open_dispute(
    session: Session,
    shop_id: str,
    *,
    order_id: str,
    reason: str,
    amount_requested: Decimal,
    evidence: list[str],
    statement: str | None = None,
    at: datetime | None = None,
) -> Dispute:
    shop = get_shop(session, shop_id)
    facts = session.get(OrderFacts, (shop_id, order_id))
    if facts is None:
        raise InvalidInput("the service queue knows no such order", {"order_id": ["unknown order in this shop"]})
    total = facts.paid_amount if facts.paid_amount is not None else facts.total
    if total is None:
        raise InvalidInput("the order's total is not known yet", {"order_id": ["order total unknown"]})
    if amount_requested <= 0:
        raise InvalidInput("nothing asked", {"amount_requested": ["must be more than 0"]})
    if amount_requested > total:
        raise InvalidInput(
            "the amount asked is more than the order's total",
            {"amount_requested": [f"at most the order total {total:.2f} {facts.currency or ''}".strip()]},
            order_total=f"{total:.2f}",
        )
    if session.scalar(select(Dispute.id).where(Dispute.shop_id == shop_id, Dispute.order_id == order_id)):
        raise Conflict("this order has a dispute already", {"order_id": ["already disputed"]})
    at = at or datetime.now(UTC)
    sim_now = shop.clock.now(at)
    windows = policy_of(session, shop_id).dispute
    ticket = conversations.open_ticket(
        session,
        shop_id,
        kind="dispute",
        channel="platform_message",
        order_id=order_id,
        subject=f"纠纷 dispute: {reason}",
        body=statement,
        source="dispute",
        source_ref=f"dispute:{order_id}",
        at=at,
    )
    dispute = Dispute(
        id=uuid.uuid4().hex,
        shop_id=shop_id,
        ticket_id=ticket.id,
        order_id=order_id,
        order_no=facts.order_no,
        customer_id=facts.customer_id,
        reason=reason,
        amount_requested=amount_requested,
        currency=facts.currency or shop.currency,
        buyer_evidence=json.dumps(evidence, ensure_ascii=False),
        seller_evidence="[]",
        status="awaiting_seller",
        opened_at=sim_now,
        respond_by=sim_now + timedelta(hours=float(windows.get("seller_response_hours", 72))),
        escalate_at=sim_now + timedelta(days=float(windows.get("escalation_days", 5))),
        with_return=False,
    )
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent dispute on the same order committed first
        raise Conflict("this order has a dispute already", {"order_id": ["already disputed"]}) from exc
    conversations.add_system_event(
        session,
        ticket,
        f"dispute opened: {reason}, {amount_requested:.2f} {dispute.currency} asked; evidence: {len(evidence)}; "
        f"respond by {dispute.respond_by:%Y-%m-%d %H:%M} (shop time)",
        at=at,
    )
    publish(
        session,
        "dispute.opened",
        shop_id=shop_id,
        payload={
            "dispute_id": dispute.id,
            "order_id": order_id,
            "order_no": dispute.order_no,
            "customer_id": dispute.customer_id,
            "reason": reason,
            "amount_requested": amount_requested,
            "currency": dispute.currency,
            "opened_at": sim_now,
            "respond_by": dispute.respond_by,
        },
    )
    return dispute


def propose(
    session: Session,
    dispute: Dispute,
    *,
    agent_id: str,
    kind: str,
    amount: Decimal | None = None,
    evidence: list[str] | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dispute:
    routing.get_agent(session, dispute.shop_id, agent_id)
    if dispute.status not in ("awaiting_seller", "negotiating"):
        raise Conflict(f"the dispute is {dispute.status}", {"dispute_id": [f"dispute is {dispute.status}"]})
    if kind not in PROPOSALS:
        raise InvalidInput("unknown proposal", {"kind": [f"one of {', '.join(PROPOSALS)}"]})
    evidence = evidence or []
    if kind == "partial_refund":
        if amount is None or not Decimal("0") < amount < dispute.amount_requested:
            raise InvalidInput(
                "a partial refund is more than 0 and less than the amount asked",
                {"amount": [f"between 0 and {dispute.amount_requested:.2f}, both excluded"]},
            )
    elif kind == "reject":
        if not evidence:
            raise InvalidInput("a rejection needs evidence", {"evidence": ["give at least one piece of evidence"]})
        amount = Decimal("0.00")
    else:
        amount = dispute.amount_requested
    at = at or datetime.now(UTC)
    sim_now = get_shop(session, dispute.shop_id).clock.now(at)
    dispute.seller_responded_at = dispute.seller_responded_at or sim_now
    dispute.proposal_kind = kind
    dispute.proposal_amount = amount
    dispute.seller_evidence = json.dumps(evidence, ensure_ascii=False)
    dispute.proposal_note = note or ""
    dispute.proposed_by = agent_id
    dispute.buyer_decision = None
    dispute.status = "awaiting_buyer"
    ticket = conversations.get_ticket(session, dispute.shop_id, dispute.ticket_id)
    conversations.add_system_event(
        session, ticket, f"shop proposed {kind} {amount:.2f} {dispute.currency} ({len(evidence)} evidence)", at=at
    )
    publish(
        session,
        "dispute.proposed",
        shop_id=dispute.shop_id,
        payload={
            "dispute_id": dispute.id,
            "order_id": dispute.order_id,
            "proposal": kind,
            "amount": amount,
            "agent_id": agent_id,
            "proposed_at": sim_now,
        },
    )
    return dispute


def decide(
    session: Session, dispute: Dispute, *, accept: bool, comment: str = "", at: datetime | None = None
) -> Dispute:
    """The buyer's answer to the proposal: accepted settles the dispute; rejected goes back to negotiation."""
    if dispute.status != "awaiting_buyer":
        raise Conflict("there is no proposal to answer", {"accept": [f"dispute is {dispute.status}"]})
    at = at or datetime.now(UTC)
    sim_now = get_shop(session, dispute.shop_id).clock.now(at)
    dispute.buyer_decision = "accepted" if accept else "rejected"
    dispute.buyer_comment = comment or ""
    ticket = conversations.get_ticket(session, dispute.shop_id, dispute.ticket_id)
    if not accept:
        dispute.status = "negotiating"
        conversations.add_system_event(session, ticket, f"buyer rejected the proposal: {comment}".rstrip(": "), at=at)
        return dispute
    amount = dispute.proposal_amount or Decimal("0.00")
    if dispute.proposal_kind == "reject":
        outcome = "seller"
    elif dispute.proposal_kind == "partial_refund":
        outcome = "split"
    else:
        outcome = "buyer"
    ruling = Ruling(outcome, amount, dispute.proposal_kind == "return_and_refund", "buyer_accepted_proposal")
    _apply(session, dispute, ruling, sim_now, arbitrated=False)
    dispute.status = "settled"
    conversations.add_system_event(session, ticket, f"buyer accepted: {outcome}, refund {amount:.2f}", at=at)
    if ticket.status in routing.HELD:
        conversations.change_status(session, ticket, "resolved", agent_id=dispute.proposed_by, at=at)
    return dispute


def escalate(session: Session, dispute: Dispute, reason: str, at: datetime | None = None) -> Dispute:
    """To platform arbitration, which rules at once by :func:`arbitrate` and publishes ``dispute.ruled``."""
    if dispute.status not in OPEN:
        raise Conflict(f"the dispute is {dispute.status}", {"dispute_id": [f"dispute is {dispute.status}"]})
    at = at or datetime.now(UTC)
    sim_now = get_shop(session, dispute.shop_id).clock.now(at)
    dispute.escalated_at = sim_now
    dispute.escalation_reason = reason
    publish(
        session,
        "dispute.escalated",
        shop_id=dispute.shop_id,
        payload={
            "dispute_id": dispute.id,
            "order_id": dispute.order_id,
            "order_no": dispute.order_no,
            "customer_id": dispute.customer_id,
            "reason": reason,
            "escalated_at": sim_now,
        },
    )
    facts = session.get(OrderFacts, (dispute.shop_id, dispute.order_id))
    responded = dispute.seller_responded_at is not None and dispute.seller_responded_at <= dispute.respond_by
    case = CaseFacts(
        reason=dispute.reason,
        amount_requested=dispute.amount_requested,
        seller_responded_in_time=responded,
        proposal_kind=dispute.proposal_kind,
        proposal_amount=dispute.proposal_amount,
        buyer_evidence=tuple(json.loads(dispute.buyer_evidence or "[]")),
        seller_evidence=tuple(json.loads(dispute.seller_evidence or "[]")),
        delivered=facts is not None and facts.delivered_at is not None,
        tracking_no=facts.tracking_no if facts else None,
    )
    ruling = arbitrate(case)
    _apply(session, dispute, ruling, sim_now, arbitrated=True)
    dispute.status = "ruled"
    ticket = conversations.get_ticket(session, dispute.shop_id, dispute.ticket_id)
    conversations.add_system_event(
        session,
        ticket,
        f"platform ruled for {ruling.outcome} ({ruling.reason}): refund {ruling.refund_amount:.2f} {dispute.currency}",
        at=at,
    )
    if ticket.status != "closed":
        conversations.close(session, ticket, "platform_ruled", at=at)
    return dispute


def _apply(session: Session, dispute: Dispute, ruling: Ruling, sim_now: datetime, *, arbitrated: bool) -> None:
    dispute.outcome = ruling.outcome
    dispute.refund_amount = ruling.refund_amount
    dispute.with_return = ruling.with_return
    dispute.ruling_reason = ruling.reason
    dispute.ruled_at = sim_now
    session.flush()
    publish(
        session,
        "dispute.ruled",
        shop_id=dispute.shop_id,
        payload={
            "dispute_id": dispute.id,
            "order_id": dispute.order_id,
            "order_no": dispute.order_no,
            "customer_id": dispute.customer_id,
            "outcome": ruling.outcome,
            "refund_amount": ruling.refund_amount,
            "currency": dispute.currency,
            "with_return": ruling.with_return,
            "reason": ruling.reason,
            "ruled_at": sim_now,
            "arbitrated": arbitrated,
            "escalated_at": dispute.escalated_at,
        },
    )


def escalate_due(session: Session, ctx: ShopContext) -> int:
    """The timer's pass over one shop: every open dispute whose window has passed goes to arbitration."""
    count = 0
    sim_now = ctx.shop_now
    due = session.scalars(
        select(Dispute)
        .where(
            Dispute.shop_id == ctx.id,
            Dispute.status.in_(OPEN),
            or_(
                Dispute.escalate_at <= sim_now,
                Dispute.seller_responded_at.is_(None) & (Dispute.respond_by <= sim_now),
            ),
        )
        .with_for_update()
    ).all()
    for dispute in due:
        reason = escalation_due(dispute, sim_now)
        if reason:
            escalate(session, dispute, reason, at=ctx.wall_now)
            count += 1
    return count


def view(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.id,
        "shop_id": dispute.shop_id,
        "ticket_id": dispute.ticket_id,
        "order_id": dispute.order_id,
        "order_no": dispute.order_no,
        "customer_id": dispute.customer_id,
        "reason": dispute.reason,
        "amount_requested": dispute.amount_requested,
        "currency": dispute.currency,
        "buyer_evidence": json.loads(dispute.buyer_evidence or "[]"),
        "status": dispute.status,
        "opened_at": dispute.opened_at,
        "respond_by": dispute.respond_by,
        "escalate_at": dispute.escalate_at,
        "seller_responded_at": dispute.seller_responded_at,
        "proposal": {
            "kind": dispute.proposal_kind,
            "amount": dispute.proposal_amount,
            "evidence": json.loads(dispute.seller_evidence or "[]"),
            "note": dispute.proposal_note,
            "agent_id": dispute.proposed_by,
        }
        if dispute.proposal_kind
        else None,
        "buyer_decision": dispute.buyer_decision,
        "escalated_at": dispute.escalated_at,
        "escalation_reason": dispute.escalation_reason,
        "ruling": {
            "outcome": dispute.outcome,
            "refund_amount": dispute.refund_amount,
            "with_return": dispute.with_return,
            "reason": dispute.ruling_reason,
            "ruled_at": dispute.ruled_at,
        }
        if dispute.outcome
        else None,
    }
