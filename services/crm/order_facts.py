"""What the orders service's events tell crm: the facts of each order (placed, paid, cancelled, delivered,
completed, refunded, returned) kept per order, whichever event comes first; then the customer is refreshed.

Amounts arrive as the contracts give them: a decimal string in major units (parsed to ``Decimal``) today, integer
minor units once the orders contracts use the shared ``Money`` field; :func:`minor` takes both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from services.crm import blacklist, care_schedule, profiles, timeline
from services.crm.crm_profile import crm_settings
from services.crm.models import Customer, Purchase, Refund, Return
from shoplab.contracts.money import to_minor, wire
from shoplab.eventbus.envelope import Event
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

_REFUNDED = select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
    Refund.shop_id == bindparam("shop_id"), Refund.order_id == bindparam("order_id")
)


def minor(amount: Any) -> int:
    if isinstance(amount, bool):
        raise TypeError("an amount is not a boolean")
    if isinstance(amount, int):
        return amount
    return to_minor(Decimal(str(amount)))


def purchase_for(session: Session, ctx: ShopContext, data: dict[str, Any]) -> Purchase:
    purchase = session.get(Purchase, (ctx.id, data["order_id"]))
    if purchase is None:
        purchase = Purchase(
            shop_id=ctx.id,
            purchase_id=data["order_id"],
            customer_id=data["customer_id"],
            source="order",
            order_no=data.get("order_no"),
            paid_cents=0,
            refunded_cents=0,
            flagged=False,
        )
        session.add(purchase)
    return purchase


def _finish(session: Session, ctx: ShopContext, customer: Customer, event: Event, at: Any, data: dict) -> None:
    timeline.record(session, ctx, customer.customer_id, event, at=at, ref=event.payload.get("order_no"), data=data)
    session.flush()
    profiles.refresh_purchases(session, customer)
    profiles.settle(session, ctx, customer)


def on_placed(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    if customer.last_order_at is None or data["placed_at"] >= customer.last_order_at:
        buyer = data["buyer"]
        profiles.set_identity(customer, name=buyer["name"], country=buyer["country"],
                              timezone=buyer["timezone"], language=buyer["language"])  # fmt: skip
    purchase = purchase_for(session, ctx, data)
    purchase.order_no = data["order_no"]
    purchase.placed_at = data["placed_at"]
    purchase.total_cents = minor(data["total"])
    if customer.blacklisted and not purchase.flagged:
        purchase.flagged = True
        _flag(session, ctx, customer, data)
    total = wire(purchase.total_cents)
    _finish(session, ctx, customer, event, data["placed_at"], {"total": total, "currency": data["currency"]})


def _flag(session: Session, ctx: ShopContext, customer: Customer, data: dict[str, Any]) -> None:
    entry = blacklist.current_entry(session, ctx.id, customer.customer_id)
    if entry is None:
        return
    publish(
        session,
        "customer.flagged_order",
        shop_id=ctx.id,
        payload={
            "customer_id": customer.customer_id,
            "customer_name": customer.name,
            "order_id": data["order_id"],
            "order_no": data["order_no"],
            "total": wire(minor(data["total"])),
            "currency": data["currency"],
            "placed_at": data["placed_at"],
            "reason": entry.reason,
            "blacklisted_by": entry.added_by,
            "blacklisted_at": entry.added_at,
        },
    )


def on_paid(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    purchase = purchase_for(session, ctx, data)
    purchase.paid_at = data["paid_at"]
    purchase.paid_cents = minor(data["amount"])
    facts = {"amount": wire(purchase.paid_cents), "method": data["method"], "reminded": data.get("reminded")}
    _finish(session, ctx, customer, event, data["paid_at"], facts)


def on_cancelled(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    purchase = purchase_for(session, ctx, data)
    purchase.cancelled_at = data["cancelled_at"]
    purchase.follow_up_due_at = None
    _finish(session, ctx, customer, event, data["cancelled_at"], {"reason": data["reason"]})


def on_delivered(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    purchase = purchase_for(session, ctx, data)
    purchase.delivered_at = data["delivered_at"]
    if purchase.cancelled_at is None:
        care = crm_settings(ctx.profile).care
        purchase.follow_up_due_at = care_schedule.follow_up_due(data["delivered_at"], customer.timezone, care)
    _finish(session, ctx, customer, event, data["delivered_at"], {"shipment_id": data["shipment_id"]})


def on_completed(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    purchase_for(session, ctx, data).completed_at = data["completed_at"]
    _finish(session, ctx, customer, event, data["completed_at"], {"by": data["by"]})


def on_refund_completed(session: Session, ctx: ShopContext, event: Event) -> None:
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    purchase = purchase_for(session, ctx, data)
    if session.get(Refund, (ctx.id, data["refund_id"])) is None:
        session.add(Refund(shop_id=ctx.id, refund_id=data["refund_id"], order_id=data["order_id"],
                           customer_id=data["customer_id"], amount_cents=minor(data["amount"]),
                           completed_at=data["occurred_at"]))  # fmt: skip
        session.flush()
    purchase.refunded_cents = session.scalar(_REFUNDED, {"shop_id": ctx.id, "order_id": data["order_id"]})
    facts = {"amount": wire(minor(data["amount"])), "reason": data["reason"], "kind": data["kind"]}
    _finish(session, ctx, customer, event, data["occurred_at"], facts)


def on_return(session: Session, ctx: ShopContext, event: Event) -> None:
    """``return.received`` and ``return.refunded``: the goods came back (one return, whichever is told first)."""
    data = event.payload
    customer = profiles.customer_for(session, ctx, data["customer_id"])
    found = session.get(Return, (ctx.id, data["return_id"]))
    if found is None:
        session.add(Return(shop_id=ctx.id, return_id=data["return_id"], order_id=data["order_id"],
                           customer_id=data["customer_id"], status=data["status"],
                           received_at=data["occurred_at"]))  # fmt: skip
    elif event.type == "return.refunded":
        found.status = data["status"]
    session.flush()
    profiles.refresh_after_sale(session, customer)
    _finish(session, ctx, customer, event, data["occurred_at"], {"status": data["status"]})
