"""Reply-time and service metrics for a period, per shop, agent and group — the formulas of DESIGN.md, computed
in the database over the per-round facts (``reply_rounds``) and the ticket rows.

* first response time: the ticket's first round — buyer's first message → first human reply (auto replies never
  count); over first rounds that started in the period.
* average response time: mean over every round (started in the period) of first human reply − oldest unanswered
  buyer message; a later buyer message before the reply joins the same round.
* response rate within N: rounds answered within N seconds / rounds; a round still unanswered counts once N has
  passed (a round younger than N is not decided yet and is left out).
* SLA breaches: tickets opened in the period whose first-response or resolution target passed unmet.
* resolution time: opening → resolution (the last one, for a reopened ticket); over tickets resolved in the period.
* tickets handled: tickets resolved in the period (by the agent, for an agent).
* CSAT: ratings given in the period: mean score, and satisfaction = share scored 4 or 5.
* inquiry conversion: buyers with a pre-sale ticket opened in the period who then paid / those buyers.

Every period is half-open ``[start, end)`` on the wall clock (the ``*_wall_at`` columns): the metrics measure people.
Median: the middle value (mean of the two middle values for an even count). p90: nearest rank, ⌈0.9·n⌉-th value.
Per agent, a round belongs to the agent who answered it (an unanswered one, to the agent holding the ticket);
resolutions and ratings to the resolving agent; conversions to the agent of the first human reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from services.tickets.models import Agent, ReplyRound, SlaBreach, Ticket

BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("<=30s", 30),
    ("30s-1m", 60),
    ("1-3m", 180),
    ("3-10m", 600),
    ("10m-1h", 3600),
    ("1h-24h", 86400),
    (">24h", None),
)


@dataclass(frozen=True)
class Scope:
    shop_id: str
    start: datetime
    end: datetime
    agent_id: str | None = None
    group: str | None = None


def _stats(session: Session, value: ColumnElement, where: list[ColumnElement]) -> dict[str, Any]:
    """count, mean, median and p90 of ``value`` over the rows ``where`` selects: an aggregate, then one windowed
    query that reads back only the two middle ranks and the p90 rank."""
    where = [*where, value.is_not(None)]
    count, mean = session.execute(select(func.count(), func.avg(value)).where(*where)).one()
    if not count:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    ranks = {(count + 1) // 2, (count + 2) // 2, (9 * count + 9) // 10}
    ranked = select(value.label("v"), func.row_number().over(order_by=value).label("rn")).where(*where).subquery()
    by_rank = {
        int(rn): float(v) for v, rn in session.execute(select(ranked.c.v, ranked.c.rn).where(ranked.c.rn.in_(ranks)))
    }
    return {
        "count": int(count),
        "mean": round(float(mean), 3),
        "median": round((by_rank[(count + 1) // 2] + by_rank[(count + 2) // 2]) / 2, 3),
        "p90": round(by_rank[(9 * count + 9) // 10], 3),
    }


def _round_filter(scope: Scope, *, first_only: bool) -> list[ColumnElement]:
    where = [
        ReplyRound.shop_id == scope.shop_id,
        ReplyRound.started_wall_at >= scope.start,
        ReplyRound.started_wall_at < scope.end,
    ]
    if first_only:
        where.append(ReplyRound.is_first.is_(True))
    if scope.agent_id:
        where.append(ReplyRound.agent_id == scope.agent_id)
    if scope.group:
        where.append(ReplyRound.grp == scope.group)
    return where


def _ticket_filter(scope: Scope, column, agent_column) -> list[ColumnElement]:
    where = [Ticket.shop_id == scope.shop_id, column >= scope.start, column < scope.end]
    if scope.agent_id:
        where.append(agent_column == scope.agent_id)
    if scope.group:
        where.append(Ticket.grp == scope.group)
    return where


def first_response(session: Session, scope: Scope) -> dict[str, Any]:
    where = _round_filter(scope, first_only=True)
    stats = _stats(session, ReplyRound.reply_seconds, where)
    columns = []
    low = None
    for label, high in BUCKETS:
        cond = ReplyRound.reply_seconds.is_not(None)
        if low is not None:
            cond = and_(cond, ReplyRound.reply_seconds > low)
        if high is not None:
            cond = and_(cond, ReplyRound.reply_seconds <= high)
        columns.append(func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(label))
        low = high
    columns.append(func.coalesce(func.sum(case((ReplyRound.reply_seconds.is_(None), 1), else_=0)), 0).label("u"))
    columns.append(func.count().label("all"))
    row = session.execute(select(*columns).where(*where)).one()
    buckets = {label: int(row[i]) for i, (label, _) in enumerate(BUCKETS)}
    buckets["unanswered"] = int(row.u)
    return {**stats, "conversations": int(row.all), "unanswered": int(row.u), "buckets": buckets}


def responses(session: Session, scope: Scope, within: int, now: datetime) -> dict[str, Any]:
    where = _round_filter(scope, first_only=False)
    stats = _stats(session, ReplyRound.reply_seconds, where)
    decided_cutoff = now - timedelta(seconds=within)
    # reply_seconds, not replied_at: the covering index has it, so the month is read from the index alone
    decided = ReplyRound.reply_seconds.is_not(None) | (ReplyRound.started_wall_at <= decided_cutoff)
    in_time = and_(ReplyRound.reply_seconds.is_not(None), ReplyRound.reply_seconds <= within)
    row = session.execute(
        select(
            func.count().label("rounds"),
            func.coalesce(func.sum(case((decided, 1), else_=0)), 0).label("decided"),
            func.coalesce(func.sum(case((in_time, 1), else_=0)), 0).label("in_time"),
        ).where(*where)
    ).one()
    rate = round(int(row.in_time) / int(row.decided), 4) if row.decided else None
    return {
        "rounds": int(row.rounds),
        "average": stats,
        "within_seconds": within,
        "answered_within": int(row.in_time),
        "decided_rounds": int(row.decided),
        "rate_within": rate,
    }


def resolutions(session: Session, scope: Scope) -> dict[str, Any]:
    where = _ticket_filter(scope, Ticket.resolved_wall_at, Ticket.resolved_by)
    return _stats(session, Ticket.resolution_seconds, where)


def breaches(session: Session, scope: Scope) -> dict[str, Any]:
    where = [
        SlaBreach.shop_id == scope.shop_id,
        SlaBreach.ticket_opened_wall_at >= scope.start,
        SlaBreach.ticket_opened_wall_at < scope.end,
    ]
    if scope.agent_id:
        where.append(SlaBreach.agent_id == scope.agent_id)
    if scope.group:
        where.append(SlaBreach.grp == scope.group)
    target_or_resolution = SlaBreach.target.in_(("first_response", "resolution"))
    row = session.execute(
        select(
            func.count(distinct(case((target_or_resolution, SlaBreach.ticket_id), else_=None))).label("tickets"),
            func.coalesce(func.sum(case((SlaBreach.target == "first_response", 1), else_=0)), 0).label("first"),
            func.coalesce(func.sum(case((SlaBreach.target == "next_response", 1), else_=0)), 0).label("next"),
            func.coalesce(func.sum(case((SlaBreach.target == "resolution", 1), else_=0)), 0).label("resolution"),
        ).where(*where)
    ).one()
    return {
        "tickets": int(row.tickets),
        "by_target": {
            "first_response": int(row.first),
            "next_response": int(row.next),
            "resolution": int(row.resolution),
        },
    }


def csat(session: Session, scope: Scope) -> dict[str, Any]:
    rater = func.coalesce(Ticket.resolved_by, Ticket.served_by)
    where = _ticket_filter(scope, Ticket.rated_wall_at, rater)
    row = session.execute(
        select(
            func.count().label("rated"),
            func.avg(Ticket.csat_score).label("mean"),
            func.coalesce(func.sum(case((Ticket.csat_score >= 4, 1), else_=0)), 0).label("satisfied"),
        ).where(*where)
    ).one()
    rated = int(row.rated)
    return {
        "rated": rated,
        "mean": round(float(row.mean), 3) if rated else None,
        "satisfaction": round(int(row.satisfied) / rated, 4) if rated else None,
    }


def conversion(session: Session, scope: Scope) -> dict[str, Any]:
    where = _ticket_filter(scope, Ticket.opened_wall_at, Ticket.served_by)
    where += [Ticket.kind == "pre_sale", Ticket.customer_id.is_not(None)]
    row = session.execute(
        select(
            func.count(distinct(Ticket.customer_id)).label("buyers"),
            func.count(distinct(case((Ticket.converted_wall_at.is_not(None), Ticket.customer_id), else_=None))).label(
                "converted"
            ),
            func.coalesce(func.sum(Ticket.converted_amount_cents), literal(0)).label("amount"),
        ).where(*where)
    ).one()
    buyers = int(row.buyers)
    return {
        "buyers_asked": buyers,
        "buyers_paid": int(row.converted),
        "rate": round(int(row.converted) / buyers, 4) if buyers else None,
        "paid_cents": int(row.amount or 0),
    }


def volume(session: Session, scope: Scope) -> dict[str, Any]:
    opened_where = [
        Ticket.shop_id == scope.shop_id,
        Ticket.opened_wall_at >= scope.start,
        Ticket.opened_wall_at < scope.end,
    ]
    if scope.group:
        opened_where.append(Ticket.grp == scope.group)
    if scope.agent_id:
        opened_where.append(Ticket.served_by == scope.agent_id)
    opened = session.scalar(select(func.count()).select_from(Ticket).where(*opened_where))
    handled = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(*_ticket_filter(scope, Ticket.resolved_wall_at, Ticket.resolved_by))
    )
    return {"opened": int(opened or 0), "handled": int(handled or 0)}


def compute(session: Session, scope: Scope, *, within: int, now: datetime) -> dict[str, Any]:
    """Every metric for the scope. ``within`` is the response-rate threshold (the shop's target unless a reader asks
    for another); ``now`` the wall moment that decides which unanswered rounds count yet."""
    return {
        "shop_id": scope.shop_id,
        "from": scope.start,
        "to": scope.end,
        "agent": scope.agent_id,
        "group": scope.group,
        "tickets": volume(session, scope),
        "first_response": first_response(session, scope),
        "response": responses(session, scope, within, now),
        "resolution": resolutions(session, scope),
        "sla_breaches": breaches(session, scope),
        "csat": csat(session, scope),
        "inquiry_conversion": conversion(session, scope),
    }


def per_agent(
    session: Session,
    shop_id: str,
    start: datetime,
    end: datetime,
    *,
    within: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """The class dashboard's table: the same metrics for every agent seated in the shop, one scope each."""
    agents = session.scalars(select(Agent).where(Agent.shop_id == shop_id).order_by(Agent.agent_id)).all()
    return [
        {
            "display_name": agent.display_name,
            **compute(session, Scope(shop_id, start, end, agent.agent_id), within=within, now=now),
        }
        for agent in agents
    ]
