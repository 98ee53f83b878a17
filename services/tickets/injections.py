"""Instructors' injections of what the queue owns: a dispute on an order, an angry buyer's message, a flood of
pre-sale questions from as many buyers.

Each goes through the queue's own rules (``disputes.open_dispute``, ``opening.open_ticket``), so it is routed, timed
and counted like a buyer's own. The order is the one the instructor named (the gateway has checked it is this
shop's), else the newest one the kind fits. The gateway asks the same rule first (``target``, behind
``GET /shops/<id>/injection-targets/<kind>``) and refuses a dispute it would find no order for; one whose order was
disputed or cancelled between that answer and the event is left out, and the skip reported (``injection.skipped``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.disputes import open_dispute
from services.tickets.models import Dispute, OrderFacts, Ticket
from services.tickets.opening import open_ticket
from services.tickets.policy import Policy
from shoplab.injected_text import fill
from shoplab.injection_targets import Target, report_skipped
from shoplab.shops.context import ShopContext


def _newest(session: Session, ctx: ShopContext, order_id: str | None, *conditions: Any) -> OrderFacts | None:
    stmt = select(OrderFacts).where(OrderFacts.shop_id == ctx.id, *conditions)
    if order_id is not None:
        stmt = stmt.where(OrderFacts.order_id == order_id)
    order = OrderFacts.updated_wall_at.desc(), OrderFacts.order_id.desc()
    return session.scalar(stmt.order_by(*order).limit(1))


def _undisputed_paid(session: Session, ctx: ShopContext, order_id: str | None) -> OrderFacts | None:
    """The named order, or the newest, that is paid, not cancelled and not disputed yet: what a dispute needs."""
    undisputed = ~select(Dispute.id).where(Dispute.shop_id == ctx.id, Dispute.order_id == OrderFacts.order_id).exists()
    return _newest(
        session,
        ctx,
        order_id,
        OrderFacts.paid_amount_cents.is_not(None),
        OrderFacts.cancelled_wall_at.is_(None),
        undisputed,
    )


def target(session: Session, ctx: ShopContext, kind: str, order_id: str | None) -> Target | None:
    """The order an injection of ``kind`` would act on now, or None (a dispute without a fitting order). An angry
    buyer always writes: about the order (the named one, else the newest), else as a new buyer (no order)."""
    facts = _undisputed_paid(session, ctx, order_id) if kind == "dispute" else _newest(session, ctx, order_id)
    if facts is None:
        return None if kind == "dispute" else Target(kind, None)
    return Target(kind, facts.order_id, facts.order_no)


def inject_dispute(session: Session, ctx: ShopContext, policy: Policy, data: dict[str, Any]) -> Dispute | None:
    """The buyer of a paid order disputes all of it, with the injected statement."""
    facts = _undisputed_paid(session, ctx, data["order_id"])
    if facts is None:
        report_skipped(session, ctx.id, "dispute", data)
        return None
    statement = fill(data["text"], data["language"], order_no=facts.order_no) if data.get("text") else None
    return open_dispute(
        session,
        ctx,
        policy,
        order_id=facts.order_id,
        reason=data["reason"],
        amount_requested=facts.paid_amount_cents or 0,
        evidence=[],
        statement=statement,
    )


def inject_angry_message(session: Session, ctx: ShopContext, policy: Policy, data: dict[str, Any]) -> Ticket:
    """An angry buyer writes a complaint: about the named order, else the shop's newest order, else as the buyer the
    gateway made up (a shop with no order yet)."""
    facts = _newest(session, ctx, data["order_id"])
    buyer = data["buyer"]
    return open_ticket(
        session,
        ctx,
        policy,
        kind="complaint",
        language=data["language"],
        customer_id=facts.customer_id if facts else buyer["customer_id"],
        buyer_name=(facts.buyer_name if facts else None) or buyer["name"],
        order_id=facts.order_id if facts else None,
        order_no=facts.order_no if facts else None,
        body=fill(data["text"] or "", data["language"], order_no=facts.order_no if facts else None),
        source="buyer",  # to the student it is a buyer like any other; the gateway keeps the record
    )


def inject_presale_flood(session: Session, ctx: ShopContext, policy: Policy, data: dict[str, Any]) -> list[Ticket]:
    """N buyers ask a pre-sale question each, at the same moment."""
    return [
        open_ticket(
            session,
            ctx,
            policy,
            kind="pre_sale",
            language=data["language"],
            customer_id=question["customer_id"],
            buyer_name=question["name"],
            body=fill(question["text"], data["language"]),
            source="buyer",  # to the student it is a buyer like any other; the gateway keeps the record
        )
        for question in data["questions"]
    ]
