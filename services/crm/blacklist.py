"""The blacklist: a student puts a buyer on it with a reason (who and when kept), or lifts it with a note. A
blacklisted buyer's next orders are flagged (``customer.flagged_order``, order_facts.py)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.crm import profiles
from services.crm.models import BlacklistEntry, Customer
from shoplab.errors import Conflict
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

_CURRENT = select(BlacklistEntry).where(
    BlacklistEntry.shop_id == bindparam("shop_id"),
    BlacklistEntry.customer_id == bindparam("customer_id"),
    BlacklistEntry.lifted_at.is_(None),
)


def current_entry(session: Session, shop_id: str, customer_id: str) -> BlacklistEntry | None:
    return session.scalar(_CURRENT, {"shop_id": shop_id, "customer_id": customer_id})


def add(session: Session, ctx: ShopContext, customer: Customer, reason: str, agent_id: str) -> BlacklistEntry:
    existing = current_entry(session, ctx.id, customer.customer_id)
    if existing is not None:
        raise Conflict(
            "the customer is blacklisted already",
            {"customer_id": [f"blacklisted by {existing.added_by}: {existing.reason}"]},
        )
    entry = BlacklistEntry(shop_id=ctx.id, customer_id=customer.customer_id, reason=reason, added_by=agent_id,
                           added_at=ctx.shop_now, added_wall_at=ctx.wall_now)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # another student at the same moment
        raise Conflict("the customer is blacklisted already", {"customer_id": ["blacklisted already"]})
    customer.blacklisted = True
    publish(session, "customer.blacklisted", shop_id=ctx.id,
            payload={"customer_id": customer.customer_id, "customer_name": customer.name, "reason": reason,
                     "by": agent_id, "at": ctx.shop_now, "wall_at": ctx.wall_now})  # fmt: skip
    profiles.apply_rules(session, ctx, customer)
    return entry


def lift(session: Session, ctx: ShopContext, customer: Customer, note: str, agent_id: str) -> BlacklistEntry:
    entry = current_entry(session, ctx.id, customer.customer_id)
    if entry is None:
        raise Conflict("the customer is not blacklisted", {"customer_id": ["not blacklisted"]})
    entry.lifted_by, entry.lift_note = agent_id, note
    entry.lifted_at, entry.lifted_wall_at = ctx.shop_now, ctx.wall_now
    customer.blacklisted = False
    publish(session, "customer.blacklist_lifted", shop_id=ctx.id,
            payload={"customer_id": customer.customer_id, "customer_name": customer.name, "by": agent_id,
                     "note": note, "at": ctx.shop_now, "wall_at": ctx.wall_now})  # fmt: skip
    profiles.apply_rules(session, ctx, customer)
    return entry
