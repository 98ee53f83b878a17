"""The tickets HTTP API: thin views over the business modules, every path under /shops/<shop_id>/."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.tickets import conversations, disputes, export, metrics, phrases, policy, routing
from services.tickets.models import Dispute, Ticket
from services.tickets.schemas import (
    AgentIn,
    AgentMetricsOut,
    AgentMetricsQuery,
    AgentOut,
    AgentStatusIn,
    AssignIn,
    ClaimIn,
    CsatIn,
    DecisionIn,
    DisputeIn,
    DisputeOut,
    DisputeQuery,
    EscalateIn,
    ExportQuery,
    MessageIn,
    MessageOut,
    MetricsOut,
    MetricsQuery,
    NoteIn,
    PhraseIn,
    PhraseOut,
    ProposalIn,
    ReplyOut,
    SettingsIn,
    SettingsOut,
    StatusIn,
    TicketDetailOut,
    TicketListOut,
    TicketOpenIn,
    TicketOut,
    TicketQuery,
    TicketViewQuery,
    TransferIn,
)
from shoplab.shops.replica import get_shop

blp = Blueprint(
    "tickets", __name__, description="The shop's service queue: tickets, replies, routing, disputes, metrics"
)


def _db():
    return current_app.extensions["shoplab"].db


def _policy_out(p: policy.Policy) -> dict:
    return {
        "platform": p.platform,
        "routing_mode": p.routing_mode,
        "per_agent_cap": p.per_agent_cap,
        "targets": p.targets.__dict__,
        "welcome": p.welcome,
        "default_language": p.default_language,
        "dispute": p.dispute,
    }


@blp.route("/shops/<shop_id>/tickets")
class Tickets(MethodView):
    @blp.arguments(TicketOpenIn)
    @blp.response(201, TicketDetailOut)
    def post(self, data, shop_id: str):
        """A buyer's first message opens a ticket (welcomed by the auto first reply, routed to an online agent)."""
        with _db().writing() as session:
            ticket = conversations.open_ticket(session, shop_id, source="buyer", **data)
            return conversations.view(session, ticket)

    @blp.arguments(TicketQuery, location="query")
    @blp.response(200, TicketListOut)
    def get(self, query, shop_id: str):
        """The queue: filter by status (repeatable; ``active`` = new, open, pending), assignee, kind, group.

        Newest activity first. ``assignee=none`` lists the unassigned waiting tickets.
        """
        where = [Ticket.shop_id == shop_id]
        statuses = set(query["status"])
        if "active" in statuses:
            statuses = (statuses - {"active"}) | {"new", "open", "pending"}
        if statuses:
            where.append(Ticket.status.in_(sorted(statuses)))
        if query["assignee"] == "none":
            where.append(Ticket.assignee_id.is_(None))
        elif query["assignee"]:
            where.append(Ticket.assignee_id == query["assignee"])
        if query["kind"]:
            where.append(Ticket.kind.in_(query["kind"]))
        if query["group"]:
            where.append(Ticket.grp == query["group"])
        if query["customer_id"]:
            where.append(Ticket.customer_id == query["customer_id"])
        if query["order_id"]:
            where.append(Ticket.order_id == query["order_id"])
        with _db().reading() as session:
            get_shop(session, shop_id)
            total = session.scalar(select(func.count()).select_from(Ticket).where(*where))
            items = session.scalars(
                select(Ticket)
                .where(*where)
                .order_by(Ticket.updated_at.desc(), Ticket.id)
                .limit(query["limit"])
                .offset(query["offset"])
            ).all()
            return {"total": total, "items": [conversations.summary(t) for t in items]}


@blp.route("/shops/<shop_id>/tickets/export.csv")
class TicketExport(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="text/csv", description="one row per ticket opened in the period")
    def get(self, query, shop_id: str):
        """Per-conversation export (kind, agent, first response, rounds, resolution, CSAT, breaches), streamed."""
        with _db().reading() as session:
            get_shop(session, shop_id)
        body = export.rows(_db().reading, shop_id, query["from_"], query["to"])
        return Response(
            stream_with_context(body),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="tickets-{shop_id}.csv"'},
        )


@blp.route("/shops/<shop_id>/tickets/<ticket_id>")
class TicketDetail(MethodView):
    @blp.arguments(TicketViewQuery, location="query")
    @blp.response(200, TicketDetailOut)
    def get(self, query, shop_id: str, ticket_id: str):
        """A ticket with its conversation; ``audience=buyer`` shows what the buyer sees (no notes, no events)."""
        with _db().reading() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id)
            return conversations.view(session, ticket, query["audience"])


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/messages")
class TicketMessages(MethodView):
    @blp.arguments(MessageIn)
    @blp.response(201, ReplyOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """A buyer's message (reopens a resolved ticket) or an agent's reply (checked against the platform's rules;
        with ``phrase_id`` the phrase is filled from the ticket's order)."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id, for_update=True)
            if data["author"] == "buyer":
                message = conversations.buyer_writes(
                    session, ticket, data["body"], channel=data["channel"], language=data["language"]
                )
                warnings = []
            else:
                message, warnings = conversations.agent_replies(
                    session,
                    ticket,
                    data["agent_id"],
                    data["body"],
                    phrase_id=data["phrase_id"],
                    channel=data["channel"],
                    await_buyer=data["await_buyer"],
                )
            out = conversations.message_view(message)
            out["warnings"] = [w.to_dict() for w in warnings]
            return {"ticket": conversations.summary(ticket), "message": out, "warnings": out["warnings"]}


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/notes")
class TicketNotes(MethodView):
    @blp.arguments(NoteIn)
    @blp.response(201, MessageOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """An internal note for colleagues; the buyer never sees it."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id)
            return conversations.message_view(conversations.add_note(session, ticket, data["agent_id"], data["body"]))


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/claim")
class TicketClaim(MethodView):
    @blp.arguments(ClaimIn)
    @blp.response(200, TicketOut)
    @blp.alt_response(409, description="someone else holds the ticket")
    def post(self, data, shop_id: str, ticket_id: str):
        """Take an unassigned ticket; of two agents claiming at once exactly one wins (the other gets 409)."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id)
            return conversations.summary(routing.claim(session, ticket, data["agent_id"]))


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/transfer")
class TicketTransfer(MethodView):
    @blp.arguments(TransferIn)
    @blp.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """The holder passes the ticket to an online colleague of the same shop."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id)
            return conversations.summary(routing.transfer(session, ticket, data["agent_id"], data["to_agent_id"]))


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/assign")
class TicketAssign(MethodView):
    @blp.arguments(AssignIn)
    @blp.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """A supervisor or instructor puts the ticket on an online agent of this shop."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id)
            return conversations.summary(routing.assign(session, ticket, data["agent_id"]))


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/status")
class TicketStatus(MethodView):
    @blp.arguments(StatusIn)
    @blp.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """pending (on the buyer: SLA paused), open (resume), resolved, closed."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id, for_update=True)
            conversations.change_status(
                session, ticket, data["status"], agent_id=data["agent_id"], reason=data["reason"]
            )
            return conversations.summary(ticket)


@blp.route("/shops/<shop_id>/tickets/<ticket_id>/csat")
class TicketCsat(MethodView):
    @blp.arguments(CsatIn)
    @blp.response(201, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """The buyer rates a resolved conversation 1–5, once."""
        with _db().writing() as session:
            ticket = conversations.get_ticket(session, shop_id, ticket_id, for_update=True)
            return conversations.summary(conversations.rate(session, ticket, data["score"], data["comment"]))


@blp.route("/shops/<shop_id>/agents")
class Agents(MethodView):
    @blp.response(200, AgentOut(many=True))
    def get(self, shop_id: str):
        """The shop's agents with their status, skills, load and cap."""
        with _db().reading() as session:
            return routing.roster(session, shop_id)


@blp.route("/shops/<shop_id>/agents/<agent_id>")
class AgentDetail(MethodView):
    @blp.arguments(AgentIn)
    @blp.response(200, AgentOut)
    def patch(self, data, shop_id: str, agent_id: str):
        """Set an agent's skill groups (empty = every group) and own cap."""
        with _db().writing() as session:
            routing.update_agent(session, shop_id, agent_id, data)
            return next(a for a in routing.roster(session, shop_id) if a["agent_id"] == agent_id)


@blp.route("/shops/<shop_id>/agents/<agent_id>/status")
class AgentStatus(MethodView):
    @blp.arguments(AgentStatusIn)
    @blp.response(200, AgentOut)
    def post(self, data, shop_id: str, agent_id: str):
        """online (takes waiting work), away (keeps tickets, gets no new ones), offline (hands tickets back)."""
        with _db().writing() as session:
            routing.set_status(session, shop_id, agent_id, data["status"])
            return next(a for a in routing.roster(session, shop_id) if a["agent_id"] == agent_id)


@blp.route("/shops/<shop_id>/queue-settings")
class QueueSettingsView(MethodView):
    @blp.response(200, SettingsOut)
    def get(self, shop_id: str):
        """Routing mode and cap, SLA targets and welcome messages in force (profile, then the shop's overrides)."""
        with _db().reading() as session:
            return _policy_out(policy.policy_of(session, shop_id))

    @blp.arguments(SettingsIn)
    @blp.response(200, SettingsOut)
    def put(self, data, shop_id: str):
        """An instructor's scenario: override routing, targets (e.g. a 180 s chat target) or welcome messages."""
        with _db().writing() as session:
            return _policy_out(policy.change_settings(session, shop_id, data))


@blp.route("/shops/<shop_id>/phrases")
class Phrases(MethodView):
    @blp.response(200, PhraseOut(many=True))
    def get(self, shop_id: str):
        """Quick phrases and templates, with their usage per agent."""
        with _db().reading() as session:
            return phrases.listing(session, shop_id)

    @blp.arguments(PhraseIn)
    @blp.response(201, PhraseOut)
    def post(self, data, shop_id: str):
        """A quick phrase or template; placeholders: {buyer_name} {order_no} {tracking_no} {carrier} {amount}."""
        with _db().writing() as session:
            phrase = phrases.create(session, shop_id, data)
            return next(p for p in phrases.listing(session, shop_id) if p["id"] == phrase.id)


@blp.route("/shops/<shop_id>/disputes")
class Disputes(MethodView):
    @blp.arguments(DisputeIn)
    @blp.response(201, DisputeOut)
    def post(self, data, shop_id: str):
        """The buyer opens a dispute on an order; the shop's response window starts (shop time)."""
        with _db().writing() as session:
            return disputes.view(disputes.open_dispute(session, shop_id, **data))

    @blp.arguments(DisputeQuery, location="query")
    @blp.response(200, DisputeOut(many=True))
    def get(self, query, shop_id: str):
        with _db().reading() as session:
            get_shop(session, shop_id)
            stmt = select(Dispute).where(Dispute.shop_id == shop_id)
            if query["status"]:
                stmt = stmt.where(Dispute.status == query["status"])
            return [disputes.view(d) for d in session.scalars(stmt.order_by(Dispute.opened_at.desc())).all()]


@blp.route("/shops/<shop_id>/disputes/<dispute_id>")
class DisputeDetail(MethodView):
    @blp.response(200, DisputeOut)
    def get(self, shop_id: str, dispute_id: str):
        with _db().reading() as session:
            return disputes.view(disputes.get_dispute(session, shop_id, dispute_id))


@blp.route("/shops/<shop_id>/disputes/<dispute_id>/proposal")
class DisputeProposal(MethodView):
    @blp.arguments(ProposalIn)
    @blp.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """The shop answers: full or partial refund, return and refund, or reject with evidence."""
        with _db().writing() as session:
            dispute = disputes.get_dispute(session, shop_id, dispute_id)
            return disputes.view(disputes.propose(session, dispute, **data))


@blp.route("/shops/<shop_id>/disputes/<dispute_id>/decision")
class DisputeDecision(MethodView):
    @blp.arguments(DecisionIn)
    @blp.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """The buyer accepts the proposal (settled, ``dispute.ruled`` with arbitrated=false) or rejects it."""
        with _db().writing() as session:
            dispute = disputes.get_dispute(session, shop_id, dispute_id)
            return disputes.view(disputes.decide(session, dispute, accept=data["accept"], comment=data["comment"]))


@blp.route("/shops/<shop_id>/disputes/<dispute_id>/escalate")
class DisputeEscalate(MethodView):
    @blp.arguments(EscalateIn)
    @blp.response(200, DisputeOut)
    def post(self, data, shop_id: str, dispute_id: str):
        """Ask the platform to step in now (buyer, shop or instructor); it rules at once by its rules."""
        with _db().writing() as session:
            dispute = disputes.get_dispute(session, shop_id, dispute_id)
            return disputes.view(disputes.escalate(session, dispute, f"requested_by_{data['by']}"))


@blp.route("/shops/<shop_id>/metrics")
class Metrics(MethodView):
    @blp.arguments(MetricsQuery, location="query")
    @blp.response(200, MetricsOut)
    def get(self, query, shop_id: str):
        """Reply-time and service metrics for a period, for the shop, an agent (``agent=``) or a group."""
        scope = metrics.Scope(shop_id, query["from_"], query["to"], query["agent"], query["group"])
        with _db().reading() as session:
            result = metrics.compute(session, scope, within=query["within"], now=datetime.now(UTC))
        result["from_"] = result.pop("from")
        return result


@blp.route("/shops/<shop_id>/metrics/agents")
class AgentMetrics(MethodView):
    @blp.arguments(AgentMetricsQuery, location="query")
    @blp.response(200, AgentMetricsOut(many=True))
    def get(self, query, shop_id: str):
        """The same metrics for every agent of the shop (a class dashboard's table), one row per agent."""
        with _db().reading() as session:
            get_shop(session, shop_id)
            rows = metrics.per_agent(
                session, shop_id, query["from_"], query["to"], within=query["within"], now=datetime.now(UTC)
            )
        for row in rows:
            row["from_"] = row.pop("from")
        return rows
