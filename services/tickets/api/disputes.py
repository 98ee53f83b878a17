"""Disputes: opened by the buyer, answered by the shop, accepted or rejected, escalated to the platform."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.tickets import disputes, escalation
from services.tickets.models import Dispute
from services.tickets.policy import context_and_policy
from services.tickets.schemas.disputes import DecisionIn, DisputeIn, DisputeOut, DisputeQuery, EscalateIn, ProposalIn
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

disputes_api = Blueprint("disputes", __name__, description="Disputes, proposals and platform arbitration")


@disputes_api.route("/shops/<shop_id>/disputes")
class Disputes(MethodView):
    @disputes_api.arguments(DisputeIn)
    @disputes_api.response(201, DisputeOut)
    def post(self, data, shop_id: str):
        """The buyer opens a dispute on an order; the shop's response window starts (shop time)."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            return disputes.open_dispute(session, ctx, policy, **data)

    @disputes_api.arguments(DisputeQuery, location="query")
    @disputes_api.response(200, DisputeOut(many=True))
    def get(self, query, shop_id: str):
        with db().reading() as session:
            shop_context(session, shop_id)
            stmt = select(Dispute).where(Dispute.shop_id == shop_id)
            if query["status"]:
                stmt = stmt.where(Dispute.status == query["status"])
            return session.scalars(stmt.order_by(Dispute.opened_at.desc())).all()


@disputes_api.route("/shops/<shop_id>/disputes/<dispute_id>")
class DisputeDetail(MethodView):
    @disputes_api.response(200, DisputeOut)
    def get(self, shop_id: str, dispute_id: str):
        with db().reading() as session:
            shop_context(session, shop_id)
            return disputes.get_dispute(session, shop_id, dispute_id)


@disputes_api.route("/shops/<shop_id>/disputes/<dispute_id>/proposal")
class DisputeProposal(MethodView):
    @disputes_api.arguments(ProposalIn)
    @disputes_api.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """The shop answers: full or partial refund, return and refund, or reject with evidence."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return disputes.propose(session, ctx, disputes.get_dispute(session, shop_id, dispute_id), **data)


@disputes_api.route("/shops/<shop_id>/disputes/<dispute_id>/decision")
class DisputeDecision(MethodView):
    @disputes_api.arguments(DecisionIn)
    @disputes_api.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """The buyer accepts the proposal (settled, ``dispute.ruled`` with arbitrated=false) or rejects it."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            dispute = disputes.get_dispute(session, shop_id, dispute_id)
            return disputes.decide(session, ctx, policy, dispute, accept=data["accept"], comment=data["comment"])


@disputes_api.route("/shops/<shop_id>/disputes/<dispute_id>/escalate")
class DisputeEscalate(MethodView):
    @disputes_api.arguments(EscalateIn)
    @disputes_api.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """Ask the platform to step in now (buyer, shop or instructor); it rules at once by its rules."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            dispute = disputes.get_dispute(session, shop_id, dispute_id)
            return escalation.escalate(session, ctx, policy, dispute, f"requested_by_{data['by']}")
