"""Escalation: a dispute goes to the platform when its response window passed unanswered or its escalation window
ended unsettled (the timer), or when buyer, shop or instructor ask; the platform rules at once by
``arbitration.arbitrate``. Windows are on the shop's clock."""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from services.tickets import lifecycle
from services.tickets.arbitration import OPEN, CaseFacts, arbitrate, escalation_due
from services.tickets.disputes import apply_ruling
from services.tickets.models import Dispute, OrderFacts
from services.tickets.policy import Policy
from services.tickets.system_events import DISPUTE_RULED, Line
from services.tickets.system_lines import add_line
from services.tickets.ticket_state import CLOSED, load_ticket
from shoplab.contracts.money import wire
from shoplab.errors import Conflict
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext


def escalate(session: Session, ctx: ShopContext, policy: Policy, dispute: Dispute, reason: str) -> Dispute:
    """To platform arbitration, which rules at once by :func:`arbitrate` and publishes ``dispute.ruled``."""
    if dispute.status not in OPEN:
        raise Conflict(f"the dispute is {dispute.status}", {"dispute_id": [f"dispute is {dispute.status}"]})
    dispute.escalated_at = ctx.shop_now
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
            "escalated_at": ctx.shop_now,
        },
    )
    ruling = arbitrate(_case_facts(session, dispute))
    apply_ruling(session, ctx, dispute, ruling, arbitrated=True)
    dispute.status = "ruled"
    ticket = load_ticket(session, dispute.shop_id, dispute.ticket_id)
    add_line(
        session,
        ctx,
        ticket,
        Line(
            f"platform ruled for {ruling.outcome} ({ruling.reason}): "
            f"refund {wire(ruling.refund_cents)} {dispute.currency}",
            DISPUTE_RULED,
            {
                "outcome": ruling.outcome,
                "reason": ruling.reason,
                "refund": wire(ruling.refund_cents),
                "currency": dispute.currency,
            },
        ),
    )
    if ticket.status != CLOSED:
        lifecycle.close(session, ctx, policy, ticket, "platform_ruled")
    return dispute


def _case_facts(session: Session, dispute: Dispute) -> CaseFacts:
    facts = session.get(OrderFacts, (dispute.shop_id, dispute.order_id))
    responded = dispute.seller_responded_at is not None and dispute.seller_responded_at <= dispute.respond_by_at
    return CaseFacts(
        reason=dispute.reason,
        amount_requested_cents=dispute.amount_requested_cents,
        seller_responded_in_time=responded,
        proposal_kind=dispute.proposal_kind,
        proposal_amount_cents=dispute.proposal_amount_cents,
        buyer_evidence=tuple(json.loads(dispute.buyer_evidence or "[]")),
        seller_evidence=tuple(json.loads(dispute.seller_evidence or "[]")),
        delivered=facts is not None and facts.delivered_at is not None,
        tracking_no=facts.tracking_no if facts else None,
    )


def _escalation_window_passed(ctx: ShopContext) -> list[ColumnElement[bool]]:
    return [
        Dispute.shop_id == ctx.id,
        Dispute.status.in_(OPEN),
        or_(
            Dispute.escalate_at <= ctx.shop_now,
            Dispute.seller_responded_at.is_(None) & (Dispute.respond_by_at <= ctx.shop_now),
        ),
    ]


def escalations_due(ctx: ShopContext) -> ColumnElement[bool]:
    """The timer's cheap probe: has any open dispute of this shop reached a window's end?"""
    return exists().where(*_escalation_window_passed(ctx))


def escalate_due(session: Session, ctx: ShopContext, policy: Policy) -> int:
    """The timer's pass over one shop: every open dispute whose window has passed goes to arbitration."""
    count = 0
    due = session.scalars(select(Dispute).where(*_escalation_window_passed(ctx)).with_for_update()).all()
    for dispute in due:
        reason = escalation_due(dispute, ctx.shop_now)
        if reason:
            escalate(session, ctx, policy, dispute, reason)
            count += 1
    return count
