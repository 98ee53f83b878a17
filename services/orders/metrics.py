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

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, select
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


@dataclass(frozen=True)
class Period:
    """[start, end) of shop time, for one shop."""

    shop_id: str
    start: datetime
    end: datetime

    def holds(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)


def shop_metrics(session: Session, shop_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    period = Period(shop_id, start, end)
    return {
        **_placed(session, period),
        **_paid(session, period),
        **_shipped(session, period),
        **_parcels(session, period),
        **_reminded(session, period),
    }


def _placed(session: Session, period: Period) -> dict[str, Any]:
    placed, cancelled = session.execute(
        select(func.count(), _count_if(Order.state == "cancelled")).where(
            Order.shop_id == period.shop_id, period.holds(Order.placed_at)
        )
    ).one()
    return {"orders_placed": placed, "orders_cancelled": cancelled, "cancellation_rate": _rate(cancelled, placed)}


def _paid(session: Session, period: Period) -> dict[str, Any]:
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
    paid, amount, buyers, refunds, rulings = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Order.paid_cents), 0),
            func.count(distinct(Order.customer_id)),
            _count_if(refunded),
            _count_if(ruled),
        ).where(Order.shop_id == period.shop_id, period.holds(Order.paid_at))
    ).one()
    return {
        "orders_paid": paid,
        "paid_amount": _cents(amount),
        "paying_buyers": buyers,
        "average_order_value": round(_cents(amount) / buyers) if buyers else None,
        "refunded_orders": refunds,
        "refund_rate": _rate(refunds, paid),
        "dispute_refunded_orders": rulings,
        "dispute_refund_rate": _rate(rulings, paid),
    }


def _shipped(session: Session, period: Period) -> dict[str, Any]:
    came_back = exists().where(
        ReturnRequest.shop_id == Order.shop_id, ReturnRequest.order_id == Order.id, ReturnRequest.status.in_(RETURNED)
    )
    shipped, late, returned = session.execute(
        select(func.count(), _count_if(Order.shipped_at > Order.ship_due_at), _count_if(came_back)).where(
            Order.shop_id == period.shop_id, period.holds(Order.shipped_at)
        )
    ).one()
    return {
        "orders_shipped": shipped,
        "late_shipments": late,
        "late_shipment_rate": _rate(late, shipped),
        "returned_orders": returned,
        "return_rate": _rate(returned, shipped),
    }


def _parcels(session: Session, period: Period) -> dict[str, Any]:
    parcels, tracked = session.execute(
        select(func.count(), _count_if(Shipment.first_scan_at.is_not(None))).where(
            Shipment.shop_id == period.shop_id, period.holds(Shipment.shipped_at)
        )
    ).one()
    return {"parcels_shipped": parcels, "parcels_tracked": tracked, "valid_tracking_rate": _rate(tracked, parcels)}


def _reminded(session: Session, period: Period) -> dict[str, Any]:
    recovered = and_(Order.paid_at.is_not(None), Order.paid_at >= Order.first_reminded_at)
    reminded, won, amount = session.execute(
        select(func.count(), _count_if(recovered), _sum_if(recovered, Order.total_cents)).where(
            Order.shop_id == period.shop_id, period.holds(Order.first_reminded_at)
        )
    ).one()
    return {
        "reminded_orders": reminded,
        "recovered_orders": won,
        "reminder_success_rate": _rate(won, reminded),
        "recovered_amount": _cents(amount),
    }


def agent_metrics(
    session: Session, shop_id: str, start: datetime, end: datetime, agent: str | None = None
) -> list[dict[str, Any]]:
    """What each agent did in the period: reminders sent (and the orders they recovered), refund decisions and
    parcels shipped. Grouped by agent in SQL; ``agent`` narrows it to one."""
    period = Period(shop_id, start, end)
    agents: dict[str, dict[str, Any]] = {}
    for figures in (
        *_reminders_by_agent(session, period, agent),
        *_refund_decisions_by_agent(session, period, agent),
        *_parcels_by_agent(session, period, agent),
    ):
        agents.setdefault(figures["agent_id"], _no_figures(figures["agent_id"])).update(figures)
    return sorted(agents.values(), key=lambda row: row["agent_id"])


def _no_figures(agent_id: str) -> dict[str, Any]:
    return {
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
    }


def _reminders_by_agent(session: Session, period: Period, agent: str | None) -> list[dict[str, Any]]:
    """Per agent, the orders they reminded (first reminder in the period) and those paid after it."""
    first = (
        select(Reminder.sent_by, Reminder.order_id, func.min(Reminder.sent_at).label("first_at"))
        .where(Reminder.shop_id == period.shop_id, period.holds(Reminder.sent_at))
        .group_by(Reminder.sent_by, Reminder.order_id)
    )
    if agent:
        first = first.where(Reminder.sent_by == agent)
    first = first.subquery()
    recovered = and_(Order.paid_at.is_not(None), Order.paid_at >= first.c.first_at)
    rows = session.execute(
        select(first.c.sent_by, func.count(), _count_if(recovered), _sum_if(recovered, Order.total_cents))
        .join(Order, and_(Order.shop_id == period.shop_id, Order.id == first.c.order_id))
        .group_by(first.c.sent_by)
    )
    return [
        {
            "agent_id": sent_by,
            "reminded_orders": orders,
            "recovered_orders": won,
            "reminder_success_rate": _rate(won, orders),
            "recovered_amount": _cents(amount),
        }
        for sent_by, orders, won, amount in rows
    ]


def _refund_decisions_by_agent(session: Session, period: Period, agent: str | None) -> list[dict[str, Any]]:
    """Per agent, the refunds they decided in the period (not rulings, not refunds of cancelled orders)."""
    approved = Refund.status.in_(("approved", "completed"))
    decisions = select(
        Refund.decided_by,
        _count_if(approved),
        _count_if(Refund.status == "rejected"),
        _sum_if(approved, Refund.amount_cents),
    ).where(
        Refund.shop_id == period.shop_id,
        period.holds(Refund.decided_at),
        Refund.decided_by.is_not(None),
        Refund.dispute_id.is_(None),
        Refund.reason != "order_cancelled",
    )
    if agent:
        decisions = decisions.where(Refund.decided_by == agent)
    return [
        {
            "agent_id": decided_by,
            "refunds_approved": yes,
            "refunds_rejected": no,
            "refund_amount_approved": _cents(amount),
        }
        for decided_by, yes, no, amount in session.execute(decisions.group_by(Refund.decided_by))
    ]


def _parcels_by_agent(session: Session, period: Period, agent: str | None) -> list[dict[str, Any]]:
    """Per agent, the parcels they shipped in the period, late and scanned."""
    shipped = select(
        Shipment.shipped_by, func.count(), _count_if(Shipment.late), _count_if(Shipment.first_scan_at.is_not(None))
    ).where(Shipment.shop_id == period.shop_id, period.holds(Shipment.shipped_at), Shipment.shipped_by.is_not(None))
    if agent:
        shipped = shipped.where(Shipment.shipped_by == agent)
    return [
        {
            "agent_id": shipped_by,
            "parcels_shipped": count,
            "late_shipments": late,
            "late_shipment_rate": _rate(late, count),
            "parcels_tracked": tracked,
            "valid_tracking_rate": _rate(tracked, count),
        }
        for shipped_by, count, late, tracked in session.execute(shipped.group_by(Shipment.shipped_by))
    ]
