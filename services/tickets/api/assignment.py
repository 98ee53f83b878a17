"""Moving a ticket between people: claim, transfer, assign."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import assignment
from services.tickets.schemas.conversation import AssignIn, ClaimIn, TicketOut, TransferIn
from services.tickets.ticket_state import load_ticket
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

assignment_api = Blueprint("assignment", __name__, description="Claim, transfer and assign tickets")


@assignment_api.route("/shops/<shop_id>/tickets/<ticket_id>/claim")
class TicketClaim(MethodView):
    @assignment_api.arguments(ClaimIn)
    @assignment_api.response(200, TicketOut)
    @assignment_api.alt_response(409, description="someone else holds the ticket")
    def post(self, data, shop_id: str, ticket_id: str):
        """Take an unassigned ticket; of two agents claiming at once exactly one wins (the other gets 409)."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return assignment.claim(session, ctx, load_ticket(session, shop_id, ticket_id), data["agent_id"])


@assignment_api.route("/shops/<shop_id>/tickets/<ticket_id>/transfer")
class TicketTransfer(MethodView):
    @assignment_api.arguments(TransferIn)
    @assignment_api.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """The holder passes the ticket to an online colleague of the same shop."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id)
            return assignment.transfer(session, ctx, ticket, data["agent_id"], data["to_agent_id"])


@assignment_api.route("/shops/<shop_id>/tickets/<ticket_id>/assign")
class TicketAssign(MethodView):
    @assignment_api.arguments(AssignIn)
    @assignment_api.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """A supervisor or instructor puts the ticket on an online agent of this shop."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return assignment.assign(session, ctx, load_ticket(session, shop_id, ticket_id), data["agent_id"])
