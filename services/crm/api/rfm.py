"""RFM routes: the shop's computation (reference, edges, segment counts), a full recompute on demand (optionally
pinned to an exercise's "today"), and the segment map with its counts."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.crm import rfm, rfm_refresh, rfm_sql
from services.crm.models import Customer, RfmState
from services.crm.schemas import RecomputeIn, RfmSummaryOut, SegmentOut
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

rfm_api = Blueprint("rfm", __name__, description="RFM scores and segments: summary, recompute, the segment map")


def _counts(session, shop_id: str) -> dict[str, int]:
    return dict(
        session.execute(
            select(Customer.segment, func.count())
            .where(Customer.shop_id == shop_id, Customer.segment.is_not(None))
            .group_by(Customer.segment)
        ).all()
    )


def _summary(session, state: RfmState | None, shop_id: str) -> dict:
    state = state or RfmState(customers=0, changed=0, took_ms=0, edges={}, dirty=False)
    return {
        "as_of": state.as_of_at,
        "pinned": state.pinned_as_of_at is not None,
        "computed_wall_at": state.computed_wall_at,
        "customers": state.customers,
        "changed": state.changed,
        "took_ms": state.took_ms,
        "dirty": bool(state.dirty),
        "segments": _counts(session, shop_id),
        "edges": state.edges or {},
    }


@rfm_api.route("/shops/<shop_id>/rfm")
class RfmSummary(MethodView):
    @rfm_api.response(200, RfmSummaryOut)
    def get(self, shop_id: str):
        """The last full computation: its reference moment, quintile edges, and customers per segment now."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return _summary(session, session.get(RfmState, shop_id), shop_id)


@rfm_api.route("/shops/<shop_id>/rfm/recompute")
class RfmRecompute(MethodView):
    @rfm_api.arguments(RecomputeIn)
    @rfm_api.response(200, RfmSummaryOut)
    def post(self, data, shop_id: str):
        """Recompute every customer's RFM in full now. ``as_of`` pins the reference moment (an exercise's "today")
        for this and later computations; ``follow_clock`` unpins it; ``rebuild`` recounts every purchase first."""
        pin = data["as_of"] if data["as_of"] else (None if data["follow_clock"] else rfm_refresh.KEEP)
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            rfm_refresh.refresh(session, ctx, trigger="request", by=data["agent_id"], pin=pin, rebuild=data["rebuild"])
            return _summary(session, rfm_sql.state_of(session, shop_id), shop_id)


@rfm_api.route("/shops/<shop_id>/segments")
class Segments(MethodView):
    @rfm_api.response(200, SegmentOut(many=True))
    def get(self, shop_id: str):
        """The segment map (data: services/crm/rfm_segments.yaml) with the shop's customers in each."""
        with db().reading() as session:
            shop_context(session, shop_id)
            counts = _counts(session, shop_id)
        return [{**vars(s), "r": list(s.r), "f": list(s.f), "customers": counts.get(s.code, 0)}
                for s in rfm.segments()]  # fmt: skip
