"""Disputes: the buyer's claim, the shop's proposal within its response window, the buyer's answer. Platform
arbitration when a window passes is ``escalation.py``, its rules ``arbitration.py``. Windows and every dispute time
run on the shop's clock; amounts are minor units.

Statuses: awaiting_seller → awaiting_buyer (a proposal) → settled (buyer accepted) | negotiating (buyer rejected;
the shop may propose again) → ruled (platform arbitration).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.tickets import lifecycle
from services.tickets.agents import get_agent
from services.tickets.arbitration import PROPOSALS, Ruling, accepted_ruling
from services.tickets.models import Dispute, OrderFacts
from services.tickets.opening import open_ticket
from services.tickets.policy import Policy
from services.tickets.system_events import (
    DISPUTE_ACCEPTED,
    DISPUTE_OPENED,
    DISPUTE_PROPOSED,
    DISPUTE_REJECTED,
    Line,
    moment,
)
from services.tickets.system_lines import add_line
from services.tickets.ticket_state import HELD, RESOLVED, load_ticket
from shoplab.contracts.money import wire
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext


def get_dispute(session: Session, shop_id: str, dispute_id: str) -> Dispute:
    dispute = session.scalar(select(Dispute).where(Dispute.shop_id == shop_id, Dispute.id == dispute_id))
    if dispute is None:
        raise NotFound(f"no dispute {dispute_id} in shop {shop_id}", {"dispute_id": ["unknown dispute"]})
    return dispute


def _disputable_total(session: Session, shop_id: str, order_id: str, amount_requested: int) -> OrderFacts:
    """The order's facts, once the amount asked fits what was paid (or the total, before payment is known)."""
    facts = session.get(OrderFacts, (shop_id, order_id))
    if facts is None:
        raise InvalidInput("the service queue knows no such order", {"order_id": ["unknown order in this shop"]})
    total = facts.paid_amount_cents if facts.paid_amount_cents is not None else facts.total_cents
    if total is None:
        raise InvalidInput("the order's total is not known yet", {"order_id": ["order total unknown"]})
    if amount_requested <= 0:
        raise InvalidInput("nothing asked", {"amount_requested": ["must be more than 0"]})
    if amount_requested > total:
        raise InvalidInput(
            "the amount asked is more than the order's total",
            {"amount_requested": [f"at most the order total {wire(total)} {facts.currency or ''}".strip()]},
            order_total=wire(total),
        )
    return facts


def open_dispute(
    session: Session,
    ctx: ShopContext,
    policy: Policy,
    *,
    order_id: str,
    reason: str,
    amount_requested: int,
    evidence: list[str],
    statement: str | None = None,
) -> Dispute:
    """The buyer disputes an order (one dispute per order): a dispute ticket opens and the shop's response window
    starts on the shop's clock."""
    facts = _disputable_total(session, ctx.id, order_id, amount_requested)
    if session.scalar(select(Dispute.id).where(Dispute.shop_id == ctx.id, Dispute.order_id == order_id)):
        raise Conflict("this order has a dispute already", {"order_id": ["already disputed"]})
    ticket = open_ticket(
        session,
        ctx,
        policy,
        kind="dispute",
        channel="platform_message",
        order_id=order_id,
        subject=f"纠纷 dispute: {reason}",
        body=statement,
        source="dispute",
        source_ref=f"dispute:{order_id}",
    )
    dispute = Dispute(
        id=uuid.uuid4().hex,
        shop_id=ctx.id,
        ticket_id=ticket.id,
        order_id=order_id,
        order_no=facts.order_no,
        customer_id=facts.customer_id,
        reason=reason,
        amount_requested_cents=amount_requested,
        currency=facts.currency or ctx.currency,
        buyer_evidence=json.dumps(evidence, ensure_ascii=False),
        seller_evidence="[]",
        status="awaiting_seller",
        opened_at=ctx.shop_now,
        respond_by_at=ctx.shop_now + timedelta(hours=float(policy.dispute.get("seller_response_hours", 72))),
        escalate_at=ctx.shop_now + timedelta(days=float(policy.dispute.get("escalation_days", 5))),
        with_return=False,
    )
    session.add(dispute)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent dispute on the same order committed first
        raise Conflict("this order has a dispute already", {"order_id": ["already disputed"]}) from exc
    add_line(
        session,
        ctx,
        ticket,
        Line(
            f"dispute opened: {reason}, {wire(amount_requested)} {dispute.currency} asked; evidence: {len(evidence)}; "
            f"respond by {dispute.respond_by_at:%Y-%m-%d %H:%M} (shop time)",
            DISPUTE_OPENED,
            {
                "reason": reason,
                "amount": wire(amount_requested),
                "currency": dispute.currency,
                "evidence": len(evidence),
                "respond_by": moment(dispute.respond_by_at),
            },
        ),
    )
    publish(session, "dispute.opened", shop_id=ctx.id, payload=_opened_payload(dispute))
    return dispute


def _opened_payload(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute_id": dispute.id,
        "order_id": dispute.order_id,
        "order_no": dispute.order_no,
        "customer_id": dispute.customer_id,
        "reason": dispute.reason,
        "amount_requested": wire(dispute.amount_requested_cents),
        "currency": dispute.currency,
        "opened_at": dispute.opened_at,
        "respond_by": dispute.respond_by_at,
    }


def _proposed_amount(dispute: Dispute, kind: str, amount: int | None, evidence: list[str]) -> int:
    """What the shop offers: a partial refund is more than 0 and less than asked; a rejection needs evidence."""
    if kind not in PROPOSALS:
        raise InvalidInput("unknown proposal", {"kind": [f"one of {', '.join(PROPOSALS)}"]})
    if kind == "partial_refund":
        if amount is None or not 0 < amount < dispute.amount_requested_cents:
            raise InvalidInput(
                "a partial refund is more than 0 and less than the amount asked",
                {"amount": [f"between 0 and {wire(dispute.amount_requested_cents)}, both excluded"]},
            )
        return amount
    if kind == "reject":
        if not evidence:
            raise InvalidInput("a rejection needs evidence", {"evidence": ["give at least one piece of evidence"]})
        return 0
    return dispute.amount_requested_cents


def propose(
    session: Session,
    ctx: ShopContext,
    dispute: Dispute,
    *,
    agent_id: str,
    kind: str,
    amount: int | None = None,
    evidence: list[str] | None = None,
    note: str = "",
) -> Dispute:
    """The shop answers: full or partial refund, return and refund, or reject with evidence."""
    get_agent(session, dispute.shop_id, agent_id)
    if dispute.status not in ("awaiting_seller", "negotiating"):
        raise Conflict(f"the dispute is {dispute.status}", {"dispute_id": [f"dispute is {dispute.status}"]})
    evidence = evidence or []
    amount = _proposed_amount(dispute, kind, amount, evidence)
    dispute.seller_responded_at = dispute.seller_responded_at or ctx.shop_now
    dispute.proposal_kind = kind
    dispute.proposal_amount_cents = amount
    dispute.seller_evidence = json.dumps(evidence, ensure_ascii=False)
    dispute.proposal_note = note or ""
    dispute.proposed_by = agent_id
    dispute.buyer_decision = None
    dispute.status = "awaiting_buyer"
    ticket = load_ticket(session, dispute.shop_id, dispute.ticket_id)
    add_line(
        session,
        ctx,
        ticket,
        Line(
            f"shop proposed {kind} {wire(amount)} {dispute.currency} ({len(evidence)} evidence)",
            DISPUTE_PROPOSED,
            {"proposal": kind, "amount": wire(amount), "currency": dispute.currency, "evidence": len(evidence)},
        ),
    )
    publish(
        session,
        "dispute.proposed",
        shop_id=dispute.shop_id,
        payload={
            "dispute_id": dispute.id,
            "order_id": dispute.order_id,
            "proposal": kind,
            "amount": wire(amount),
            "agent_id": agent_id,
            "proposed_at": ctx.shop_now,
        },
    )
    return dispute


def decide(
    session: Session, ctx: ShopContext, policy: Policy, dispute: Dispute, *, accept: bool, comment: str = ""
) -> Dispute:
    """The buyer's answer to the proposal: accepted settles the dispute; rejected goes back to negotiation."""
    if dispute.status != "awaiting_buyer":
        raise Conflict("there is no proposal to answer", {"accept": [f"dispute is {dispute.status}"]})
    dispute.buyer_decision = "accepted" if accept else "rejected"
    dispute.buyer_comment = comment or ""
    ticket = load_ticket(session, dispute.shop_id, dispute.ticket_id)
    if not accept:
        dispute.status = "negotiating"
        text = f"buyer rejected the proposal: {comment}".rstrip(": ")
        add_line(session, ctx, ticket, Line(text, DISPUTE_REJECTED, {"comment": comment or None}))
        return dispute
    ruling = accepted_ruling(dispute.proposal_kind, dispute.proposal_amount_cents)
    apply_ruling(session, ctx, dispute, ruling, arbitrated=False)
    dispute.status = "settled"
    add_line(
        session,
        ctx,
        ticket,
        Line(
            f"buyer accepted: {ruling.outcome}, refund {wire(ruling.refund_cents)}",
            DISPUTE_ACCEPTED,
            {"outcome": ruling.outcome, "refund": wire(ruling.refund_cents), "currency": dispute.currency},
        ),
    )
    if ticket.status in HELD:
        lifecycle.change_status(session, ctx, policy, ticket, RESOLVED, agent_id=dispute.proposed_by)
    return dispute


def apply_ruling(session: Session, ctx: ShopContext, dispute: Dispute, ruling: Ruling, *, arbitrated: bool) -> None:
    """Record how the dispute was decided and publish ``dispute.ruled``: the orders service refunds a ruling for
    the buyer, whether the platform ruled (``arbitrated``) or the buyer accepted the shop's proposal."""
    dispute.outcome = ruling.outcome
    dispute.refund_amount_cents = ruling.refund_cents
    dispute.with_return = ruling.with_return
    dispute.ruling_reason = ruling.reason
    dispute.ruled_at = ctx.shop_now
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
            "refund_amount": wire(ruling.refund_cents),
            "currency": dispute.currency,
            "with_return": ruling.with_return,
            "reason": ruling.reason,
            "ruled_at": ctx.shop_now,
            "arbitrated": arbitrated,
            "escalated_at": dispute.escalated_at,
        },
    )
