"""RFM in the database, on SQLite and PostgreSQL alike: the full computation of a shop and one customer's scores.

The full computation (``recompute``) runs in one write transaction, in three statements and a read:
1. the purchases are aggregated per customer (``GROUP BY`` over the covering index ``ix_purchases_rfm``) and the
   customers whose frequency, money or last purchase differ are updated — the ledger is the truth, events only
   keep it current;
2. one read fetches, with window functions, the sorted values at the indexes where the quintile edges fall
   (``rfm.edge_positions``: the few rows numpy's interpolation needs, not the whole column);
3. one ``UPDATE … FROM`` scores every customer (``ROW_NUMBER`` for frequency ranks, ``CASE`` against the edges,
   the segment map as a ``CASE``) and writes only the rows whose scores or segment moved.

Between two full computations a purchase scores its customer at once against the last edges (:func:`score_one`),
and the shop is marked dirty so the ``crm.refresh_rfm`` timer computes it in full soon after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, and_, bindparam, case, cast, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from services.crm import rfm
from services.crm.models import Customer, Purchase, RfmState

DAY_SECONDS = 86400


def counted(purchase: Any = Purchase) -> ColumnElement[bool]:
    """A purchase counts in RFM when it was paid, not cancelled, and not refunded in full."""
    return and_(
        purchase.paid_at.is_not(None),
        purchase.cancelled_at.is_(None),
        or_(purchase.refunded_cents == 0, purchase.refunded_cents < purchase.paid_cents),
    )


def recency_days(session: Session, last_purchase: Any, as_of: datetime) -> ColumnElement[int]:
    """Whole days from the last purchase to ``as_of`` (floor, never below 0), as SQL for this session's database."""
    if session.get_bind().dialect.name == "sqlite":
        # julianday is a double: about 50 µs of noise at today's dates, hence the 1 ms before truncating seconds
        stamp = as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        seconds = cast((func.julianday(stamp) - func.julianday(last_purchase)) * DAY_SECONDS + 0.001, Integer)
        return func.max(0, seconds // DAY_SECONDS)
    seconds = func.extract("epoch", bindparam("rfm_as_of", as_of, type_=last_purchase.type) - last_purchase)
    return func.greatest(0, cast(func.floor(seconds / DAY_SECONDS), Integer))


def _bin(value: ColumnElement, edges: list[float], name: str) -> ColumnElement[int]:
    """1 + the number of inner edges below the value (bins closed on the right), as SQL."""
    above = [case((value > bindparam(f"{name}_{k}", edge, type_=Float), 1), else_=0) for k, edge in enumerate(edges)]
    return 1 + above[0] + above[1] + above[2] + above[3]


def _segment_case(r: ColumnElement, f: ColumnElement) -> ColumnElement[str]:
    return case(*[(and_(r.between(s.r[0], s.r[1]), f.between(s.f[0], s.f[1])), s.code) for s in rfm.segments()])


@dataclass
class RfmRun:
    as_of: datetime
    customers: int
    changed: int
    segments: dict[str, int]
    took_ms: int
    edges: dict[str, Any]


def state_of(session: Session, shop_id: str) -> RfmState:
    state = session.get(RfmState, shop_id)
    if state is None:
        state = RfmState(shop_id=shop_id, dirty=True, customers=0, changed=0, took_ms=0, edges={})
        session.add(state)
    return state


def reference_time(state: RfmState, shop_now: datetime) -> datetime:
    return state.pinned_as_of_at or shop_now


def _write_aggregates(session: Session, shop_id: str) -> None:
    agg = (
        select(
            Purchase.customer_id.label("customer_id"),
            func.min(Purchase.paid_at).label("first_at"),
            func.max(Purchase.paid_at).label("last_at"),
            func.count().label("frequency"),
            func.sum(Purchase.paid_cents - Purchase.refunded_cents).label("monetary"),
        )
        .where(Purchase.shop_id == shop_id, counted())
        .group_by(Purchase.customer_id)
        .subquery()
    )
    session.execute(
        update(Customer)
        .where(
            Customer.shop_id == shop_id,
            Customer.customer_id == agg.c.customer_id,
            or_(
                Customer.frequency != agg.c.frequency,
                Customer.monetary_cents != agg.c.monetary,
                Customer.last_purchase_at.is_distinct_from(agg.c.last_at),
                Customer.first_purchase_at.is_distinct_from(agg.c.first_at),
            ),
        )
        .values(
            frequency=agg.c.frequency,
            monetary_cents=agg.c.monetary,
            first_purchase_at=agg.c.first_at,
            last_purchase_at=agg.c.last_at,
        )
        .execution_options(synchronize_session=False)
    )
    still_counted = exists().where(Purchase.shop_id == shop_id, Purchase.customer_id == Customer.customer_id, counted())
    session.execute(
        update(Customer)
        .where(Customer.shop_id == shop_id, Customer.frequency > 0, ~still_counted)
        .values(frequency=0, monetary_cents=0, first_purchase_at=None, last_purchase_at=None)
        .execution_options(synchronize_session=False)
    )


def _edges(session: Session, shop_id: str, as_of: datetime, n: int) -> dict[str, Any]:
    recency = recency_days(session, Customer.last_purchase_at, as_of)
    ordered = (
        select(
            recency.label("recency"),
            Customer.monetary_cents.label("monetary"),
            Customer.frequency.label("frequency"),
            (func.row_number().over(order_by=recency) - 1).label("r_index"),
            (func.row_number().over(order_by=Customer.monetary_cents) - 1).label("m_index"),
            (func.row_number().over(order_by=(Customer.frequency, Customer.customer_id)) - 1).label("f_index"),
        )
        .where(Customer.shop_id == shop_id, Customer.frequency > 0)
        .subquery()
    )
    wanted = sorted(rfm.needed_indexes(n))
    rows = session.execute(
        select(ordered).where(
            or_(ordered.c.r_index.in_(wanted), ordered.c.m_index.in_(wanted), ordered.c.f_index.in_(wanted))
        )
    ).all()
    at: dict[str, dict[int, float]] = {"recency": {}, "monetary": {}, "frequency": {}}
    for row in rows:
        at["recency"][row.r_index] = float(row.recency)
        at["monetary"][row.m_index] = float(row.monetary)
        at["frequency"][row.f_index] = float(row.frequency)
    return {
        "n": n,
        "recency": rfm.edges_of(at["recency"], n),
        "monetary": rfm.edges_of(at["monetary"], n),
        "frequency_rank": rfm.rank_edges(n),
        # the frequency values at the rank edges: how one customer is scored between two full computations
        "frequency": rfm.edges_of(at["frequency"], n),
    }


def _write_scores(session: Session, shop_id: str, as_of: datetime, edges: dict[str, Any]) -> int:
    ranked = (
        select(
            Customer.customer_id.label("customer_id"),
            recency_days(session, Customer.last_purchase_at, as_of).label("recency"),
            Customer.monetary_cents.label("monetary"),
            func.row_number().over(order_by=(Customer.frequency, Customer.customer_id)).label("f_rank"),
        )
        .where(Customer.shop_id == shop_id, Customer.frequency > 0)
        .subquery()
    )
    binned = select(
        ranked.c.customer_id,
        (6 - _bin(ranked.c.recency, edges["recency"], "re")).label("r"),
        _bin(ranked.c.f_rank, edges["frequency_rank"], "fe").label("f"),
        _bin(ranked.c.monetary, edges["monetary"], "me").label("m"),
    ).subquery()
    scored = select(binned, _segment_case(binned.c.r, binned.c.f).label("segment")).subquery()
    changed = session.execute(
        update(Customer)
        .where(
            Customer.shop_id == shop_id,
            Customer.customer_id == scored.c.customer_id,
            or_(
                Customer.r_score.is_distinct_from(scored.c.r),
                Customer.f_score.is_distinct_from(scored.c.f),
                Customer.m_score.is_distinct_from(scored.c.m),
                Customer.segment.is_distinct_from(scored.c.segment),
            ),
        )
        .values(r_score=scored.c.r, f_score=scored.c.f, m_score=scored.c.m, segment=scored.c.segment)
        .execution_options(synchronize_session=False)
    ).rowcount
    cleared = session.execute(
        update(Customer)
        .where(Customer.shop_id == shop_id, Customer.frequency == 0, Customer.segment.is_not(None))
        .values(r_score=None, f_score=None, m_score=None, segment=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed + cleared


def recompute(session: Session, shop_id: str, as_of: datetime, refresh_after: timedelta | None) -> RfmRun:
    """Compute the shop's RFM in full as of ``as_of`` (shop time) and store it; ``refresh_after``: when the
    timer should compute it again though nothing happened (recency grows with the clock), None for never."""
    started = time.perf_counter()
    state = state_of(session, shop_id)
    _write_aggregates(session, shop_id)
    n = session.scalar(select(func.count()).where(Customer.shop_id == shop_id, Customer.frequency > 0)) or 0
    edges = _edges(session, shop_id, as_of, n) if n else {}
    changed = _write_scores(session, shop_id, as_of, edges) if n else _write_scores_empty(session, shop_id)
    counts = dict(
        session.execute(
            select(Customer.segment, func.count())
            .where(Customer.shop_id == shop_id, Customer.segment.is_not(None))
            .group_by(Customer.segment)
        ).all()
    )
    took_ms = int((time.perf_counter() - started) * 1000)
    state.as_of_at = as_of
    state.computed_wall_at = datetime.now(UTC)
    state.refresh_at = as_of + refresh_after if refresh_after is not None else None
    state.dirty = False
    state.customers, state.changed, state.took_ms, state.edges = n, changed, took_ms, edges
    return RfmRun(as_of, n, changed, counts, took_ms, edges)


def _write_scores_empty(session: Session, shop_id: str) -> int:
    return session.execute(
        update(Customer)
        .where(Customer.shop_id == shop_id, Customer.segment.is_not(None))
        .values(r_score=None, f_score=None, m_score=None, segment=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def score_one(customer: Customer, state: RfmState | None, as_of: datetime) -> tuple[int, int, int] | None:
    """One customer's scores against the shop's last edges (None: no purchase, or never computed yet). Frequency
    is compared by value here (a tie on an edge goes to the lower bin) until the next full computation ranks it."""
    if customer.frequency <= 0 or customer.last_purchase_at is None or state is None or not state.edges:
        return None
    edges = state.edges
    days = max(0, int((as_of - customer.last_purchase_at).total_seconds() // DAY_SECONDS))
    return (
        6 - rfm.bin_of(days, edges["recency"]),
        rfm.bin_of(customer.frequency, edges["frequency"]),
        rfm.bin_of(customer.monetary_cents, edges["monetary"]),
    )
