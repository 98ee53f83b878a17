"""Shop and agent metrics for a period of shop time, computed by the database (aggregates over indexed columns).

Each rate is a cohort over the period: an order counts in the denominator when the step that defines it (placed,
paid, shipped, first reminded) happened in [from, to), and in the numerator when it then met the outcome, whenever.

| metric | formula (DESIGN.md where it has one) |
|---|---|
| cancellation rate | orders placed in the period now cancelled / orders placed in the period |
| average order value (客单价) | paid amount / paying buyers (distinct customers), orders paid in the period |
| refund rate (退款率) | orders with a completed refund / paid orders |
| dispute refund rate (纠纷退款率) | orders with a completed refund ruled by platform arbitration / paid orders |
| payment-reminder success (催付成功率) | reminded unpaid orders later paid / reminded unpaid orders; recovered amount |
| return rate (退货率) | shipped orders whose goods came back (received, refunded or exchanged) / shipped orders |
| late shipment rate | orders shipped after their promised handling time (ship_by) / orders shipped |
| valid tracking rate | parcels with at least one carrier scan / parcels shipped |

A refund the buyer accepted from the shop's proposal in a dispute is a refund, not a ruling: it counts in the refund
rate only. Amounts are integer cents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session

from services.orders.models import Order, Refund, Reminder, ReturnRequest, Shipment

RETURNED = ("received", "refunded", "exchanged")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _count_if(condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition, value) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _cents(total: int | None) -> int:
    """A sum of cents as the database gives it (NULL over no rows, a Decimal on some backends)."""
    return int(total or 0)


def shop_metrics(session: Session, shop_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    in_period = lambda column: and_(column >= start, column < end)  # noqa: E731
    placed = session.execute(
        select(func.count(), _count_if(Order.state == "cancelled")).where(
            Order.shop_id == shop_id, in_period(Order.placed_at)
        )
    ).one()
    refunded = exists().where(
        Refund.shop_id == Order.shop_id, Refund.order_id == Order.id, Refund.status == "completed"
    )
    ruled = exists().where(
        Refund.shop_id == Order.shop_id,
        Refund.order_id == Order.id,
        Refund.status == "completed",
        Refund.dispute_id.is_not(None),
        Refund.reason == "dispute_ruling",
    )
    paid = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Order.paid_cents), 0),
            func.count(distinct(Order.customer_id)),
            _count_if(refunded),
            _count_if(ruled),
        ).where(Order.shop_id == shop_id, in_period(Order.paid_at))
    ).one()
    came_back = exists().where(
        ReturnRequest.shop_id == Order.shop_id, ReturnRequest.order_id == Order.id, ReturnRequest.status.in_(RETURNED)
    )
    shipped = session.execute(
        select(func.count(), _count_if(Order.shipped_at > Order.ship_due_at), _count_if(came_back)).where(
            Order.shop_id == shop_id, in_period(Order.shipped_at)
        )
    ).one()
    parcels = session.execute(
        select(func.count(), _count_if(Shipment.first_scan_at.is_not(None))).where(
            Shipment.shop_id == shop_id, in_period(Shipment.shipped_at)
        )
    ).one()
    recovered = and_(Order.paid_at.is_not(None), Order.paid_at >= Order.first_reminded_at)
    reminded = session.execute(
        select(func.count(), _count_if(recovered), _sum_if(recovered, Order.total_cents)).where(
            Order.shop_id == shop_id, in_period(Order.first_reminded_at)
        )
    ).one()
    return {
        "orders_placed": placed[0],
        "orders_cancelled": placed[1],
        "cancellation_rate": _rate(placed[1], placed[0]),
        "orders_paid": paid[0],
        "paid_amount": _cents(paid[1]),
        "paying_buyers": paid[2],
        "average_order_value": round(_cents(paid[1]) / paid[2]) if paid[2] else None,
        "refunded_orders": paid[3],
        "refund_rate": _rate(paid[3], paid[0]),
        "dispute_refunded_orders": paid[4],
        "dispute_refund_rate": _rate(paid[4], paid[0]),
        "orders_shipped": shipped[0],
        "late_shipments": shipped[1],
        "late_shipment_rate": _rate(shipped[1], shipped[0]),
        "returned_orders": shipped[2],
        "return_rate": _rate(shipped[2], shipped[0]),
        "parcels_shipped": parcels[0],
        "parcels_tracked": parcels[1],
        "valid_tracking_rate": _rate(parcels[1], parcels[0]),
        "reminded_orders": reminded[0],
        "recovered_orders": reminded[1],
        "reminder_success_rate": _rate(reminded[1], reminded[0]),
        "recovered_amount": _cents(reminded[2]),
    }


def agent_metrics(
    session: Session, shop_id: str, start: datetime, end: datetime, agent: str | None = None
) -> list[dict[str, Any]]:
    """What each agent did in the period: reminders sent (and the orders they recovered), refund decisions and
    parcels shipped. Grouped by agent in SQL; ``agent`` narrows it to one."""
    agents: dict[str, dict[str, Any]] = {}

    def entry(agent_id: str) -> dict[str, Any]:
        return agents.setdefault(
            agent_id,
            {
                "agent_id": agent_id,
                "reminded_orders": 0,
                "recovered_orders": 0,
                "reminder_success_rate": None,
                "recovered_amount": 0,
                "refunds_approved": 0,
                "refunds_rejected": 0,
                "refund_amount_approved": 0,
                "parcels_shipped": 0,
                "late_shipments": 0,
                "late_shipment_rate": None,
                "parcels_tracked": 0,
                "valid_tracking_rate": None,
            },
        )

    first = (
        select(Reminder.sent_by, Reminder.order_id, func.min(Reminder.sent_at).label("first_at"))
        .where(Reminder.shop_id == shop_id, Reminder.sent_at >= start, Reminder.sent_at < end)
        .group_by(Reminder.sent_by, Reminder.order_id)
    )
    if agent:
        first = first.where(Reminder.sent_by == agent)
    first = first.subquery()
    recovered = and_(Order.paid_at.is_not(None), Order.paid_at >= first.c.first_at)
    for sent_by, orders, won, amount in session.execute(
        select(first.c.sent_by, func.count(), _count_if(recovered), _sum_if(recovered, Order.total_cents))
        .join(Order, and_(Order.shop_id == shop_id, Order.id == first.c.order_id))
        .group_by(first.c.sent_by)
    ):
        row = entry(sent_by)
        row.update(
            reminded_orders=orders,
            recovered_orders=won,
            reminder_success_rate=_rate(won, orders),
            recovered_amount=_cents(amount),
        )

    approved = Refund.status.in_(("approved", "completed"))
    decisions = select(
        Refund.decided_by,
        _count_if(approved),
        _count_if(Refund.status == "rejected"),
        _sum_if(approved, Refund.amount_cents),
    ).where(
        Refund.shop_id == shop_id,
        Refund.decided_at >= start,
        Refund.decided_at < end,
        Refund.decided_by.is_not(None),
        Refund.dispute_id.is_(None),
        Refund.reason != "order_cancelled",
    )
    if agent:
        decisions = decisions.where(Refund.decided_by == agent)
    for decided_by, yes, no, amount in session.execute(decisions.group_by(Refund.decided_by)):
        entry(decided_by).update(refunds_approved=yes, refunds_rejected=no, refund_amount_approved=_cents(amount))

    shipped = select(
        Shipment.shipped_by, func.count(), _count_if(Shipment.late), _count_if(Shipment.first_scan_at.is_not(None))
    ).where(
        Shipment.shop_id == shop_id,
        Shipment.shipped_at >= start,
        Shipment.shipped_at < end,
        Shipment.shipped_by.is_not(None),
    )
    if agent:
        shipped = shipped.where(Shipment.shipped_by == agent)
    for shipped_by, count, late, tracked in session.execute(shipped.group_by(Shipment.shipped_by)):
        entry(shipped_by).update(
            parcels_shipped=count,
            late_shipments=late,
            late_shipment_rate=_rate(late, count),
            parcels_tracked=tracked,
            valid_tracking_rate=_rate(tracked, count),
        )
    return sorted(agents.values(), key=lambda row: row["agent_id"])
