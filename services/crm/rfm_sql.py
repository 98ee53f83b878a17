"""RFM in the database, on SQLite and PostgreSQL alike: the full computation of a shop and one customer's scores.

The full computation (``recompute``) runs in one write transaction:
1. (``rebuild`` only: imports, repairs) the purchases are aggregated per customer (``GROUP BY`` over the covering
   index ``ix_purchases_rfm``) and the customers whose frequency, money or last purchase differ are updated; the
   rest of the time events keep those current, customer by customer;
2. a few reads fetch the sorted values at the positions where the quintile edges fall (``rfm.edge_positions``:
   the rows numpy's interpolation needs, each read through an index with ``ORDER BY … LIMIT 2 OFFSET k``, not the
   whole column sorted); for frequency, ranked ``method="first"``, the customer standing on each rank edge;
3. one ``UPDATE`` scores every customer with plain comparisons against those edges (no window function and no
   date arithmetic per row: a recency edge becomes a moment, a rank edge a (frequency, customer id) pair) and the
   segment map as a ``CASE``, and writes only the rows whose scores or segment moved.

Between two full computations a purchase scores its customer at once against the last edges (:func:`score_one`),
and the shop is marked dirty so the ``crm.refresh_rfm`` timer computes it in full soon after.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, and_, bindparam, case, exists, func, or_, select, update
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


def _segment_case(r: ColumnElement, f: ColumnElement) -> ColumnElement[str]:
    """The segment map as one simple CASE on ``10·r + f``: r and f are evaluated once per row (a searched CASE
    naming them in every branch made SQLite compute each score twenty times)."""
    cells = {
        10 * r_score + f_score: s.code
        for s in rfm.segments()
        for r_score in range(s.r[0], s.r[1] + 1)
        for f_score in range(s.f[0], s.f[1] + 1)
    }
    return case(cells, value=r * 10 + f)


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


def _sorted_values(session: Session, shop_id: str, order: tuple, column: Any, lowers: list[int]) -> dict[int, Any]:
    """The values at sorted positions ``lower`` and ``lower + 1``, read through an index (``LIMIT 2 OFFSET``)."""
    found: dict[int, Any] = {}
    for lower in lowers:
        rows = session.execute(
            select(column).where(Customer.shop_id == shop_id, Customer.frequency > 0).order_by(*order)
            .limit(2).offset(lower)
        ).scalars().all()  # fmt: skip
        for step, value in enumerate(rows):
            found[lower + step] = value
    return found


def _days(as_of: datetime, last: datetime) -> int:
    return max(0, int((as_of - last).total_seconds() // DAY_SECONDS))


def _edges(session: Session, shop_id: str, as_of: datetime, n: int) -> dict[str, Any]:
    """The quintile edges of the shop's customers: the few sorted values numpy's interpolation needs, each read
    at its position through an index; for frequency, the customer sitting on each rank edge."""
    lowers = sorted({lower for lower, _ in rfm.edge_positions(n).values()})
    last = _sorted_values(session, shop_id, (Customer.last_purchase_at.desc(),), Customer.last_purchase_at, lowers)
    money = _sorted_values(session, shop_id, (Customer.monetary_cents,), Customer.monetary_cents, lowers)
    by_rank = (Customer.frequency, Customer.customer_id)
    frequency = _sorted_values(session, shop_id, by_rank, Customer.frequency, lowers)
    rank_edges = rfm.rank_edges(n)
    boundaries = []
    for edge in rank_edges:  # ranks above floor(edge) score higher: the customer at that rank is the boundary
        row = session.execute(
            select(*by_rank).where(Customer.shop_id == shop_id, Customer.frequency > 0).order_by(*by_rank)
            .limit(1).offset(max(0, math.floor(edge) - 1))
        ).one()  # fmt: skip
        boundaries.append([row.frequency, row.customer_id])
    return {
        "n": n,
        "recency": rfm.edges_of({i: float(_days(as_of, v)) for i, v in last.items()}, n),
        "monetary": rfm.edges_of({i: float(v) for i, v in money.items()}, n),
        "frequency_rank": rank_edges,
        "frequency_boundaries": boundaries,
        # the frequency values at the rank edges: how one customer is scored between two full computations
        "frequency": rfm.edges_of({i: float(v) for i, v in frequency.items()}, n),
    }


def _above(conditions: list[ColumnElement[bool]]) -> ColumnElement[int]:
    """How many of the conditions hold, as SQL."""
    counts = [case((condition, 1), else_=0) for condition in conditions]
    return counts[0] + counts[1] + counts[2] + counts[3]


def _score_expressions(as_of: datetime, edges: dict[str, Any]) -> tuple[ColumnElement, ...]:
    """R, F and M of a customer row as plain comparisons, no per-row arithmetic on times: recency > e ⟺ whole
    days ≥ ⌊e⌋ + 1 ⟺ last purchase ≤ as_of − (⌊e⌋ + 1) days; rank > e ⟺ (frequency, customer id) after the
    boundary customer's; money compared with the edge itself."""
    last = Customer.last_purchase_at
    r = 5 - _above([
        last <= bindparam(f"r_edge_{k}", as_of - timedelta(days=math.floor(e) + 1), type_=last.type)
        for k, e in enumerate(edges["recency"])
    ])  # fmt: skip
    f = 1 + _above([
        or_(Customer.frequency > bindparam(f"f_freq_{k}", freq, type_=Integer),
            and_(Customer.frequency == bindparam(f"f_same_{k}", freq, type_=Integer),
                 Customer.customer_id > bindparam(f"f_id_{k}", customer_id)))
        for k, (freq, customer_id) in enumerate(edges["frequency_boundaries"])
    ])  # fmt: skip
    m = 1 + _above([
        Customer.monetary_cents > bindparam(f"m_edge_{k}", e, type_=Float) for k, e in enumerate(edges["monetary"])
    ])  # fmt: skip
    return r, f, m


def _write_scores(session: Session, shop_id: str, as_of: datetime, edges: dict[str, Any]) -> int:
    """One UPDATE over the shop's customers, writing only the rows whose scores or segment moved."""
    r, f, m = _score_expressions(as_of, edges)
    segment = _segment_case(r, f)
    changed = session.execute(
        update(Customer)
        .where(
            Customer.shop_id == shop_id,
            Customer.frequency > 0,
            or_(
                Customer.r_score.is_distinct_from(r),
                Customer.f_score.is_distinct_from(f),
                Customer.m_score.is_distinct_from(m),
                Customer.segment.is_distinct_from(segment),
            ),
        )
        .values(r_score=r, f_score=f, m_score=m, segment=segment)
        .execution_options(synchronize_session=False)
    ).rowcount
    cleared = session.execute(
        update(Customer)  # r_score, not segment: the planner then takes the (shop_id, frequency) index
        .where(Customer.shop_id == shop_id, Customer.frequency == 0, Customer.r_score.is_not(None))
        .values(r_score=None, f_score=None, m_score=None, segment=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed + cleared


def recompute(
    session: Session, shop_id: str, as_of: datetime, refresh_after: timedelta | None, *, rebuild: bool = False
) -> RfmRun:
    """Score every customer of the shop as of ``as_of`` (shop time) and store it; ``refresh_after``: when the
    timer should compute it again though nothing happened (recency grows with the clock), None for never.

    The customers' frequency, money and last purchase are kept current as purchases arrive (events, imports), so
    scoring reads the customers, not every purchase; ``rebuild`` first recomputes those from the purchases (an
    import does; an instructor may, to repair)."""
    started = time.perf_counter()
    state = state_of(session, shop_id)
    if rebuild:
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
