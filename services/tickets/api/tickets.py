"""Tickets: a buyer opens one, the queue lists them, an agent reads one, sets its status; the buyer rates it."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import csat, lifecycle, views
from services.tickets.opening import open_ticket
from services.tickets.policy import context_and_policy
from services.tickets.queue_rows import queue_rows
from services.tickets.schemas.conversation import (
    CsatIn,
    StatusIn,
    TicketDetailOut,
    TicketListOut,
    TicketOpenIn,
    TicketOut,
    TicketQuery,
    TicketViewQuery,
)
from services.tickets.schemas.queue import QueueOut, QueueQuery
from services.tickets.ticket_state import load_ticket
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

tickets_api = Blueprint("tickets", __name__, description="Tickets: the queue, a conversation, its status, CSAT")


@tickets_api.route("/shops/<shop_id>/tickets")
class Tickets(MethodView):
    @tickets_api.arguments(TicketOpenIn)
    @tickets_api.response(201, TicketDetailOut)
    def post(self, data, shop_id: str):
        """A buyer's first message opens a ticket (welcomed by the auto first reply, routed to an online agent)."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            ticket = open_ticket(session, ctx, policy, source="buyer", **data)
            return views.ticket_detail(session, ticket)

    @tickets_api.arguments(TicketQuery, location="query")
    @tickets_api.response(200, TicketListOut)
    def get(self, query, shop_id: str):
        """The queue: filter by status (repeatable; ``active`` = new, open, pending), assignee, kind, group.

        Newest activity first. ``assignee=none`` lists the unassigned waiting tickets.
        """
        with db().reading() as session:
            shop_context(session, shop_id)
            return views.queue_page(session, shop_id, query)


@tickets_api.route("/shops/<shop_id>/queue")
class Queue(MethodView):
    @tickets_api.arguments(QueueQuery, location="query")
    @tickets_api.response(200, QueueOut)
    def get(self, query, shop_id: str):
        """The queue as an agent's screen shows it: a tab's rows (newest activity first) with each row's last
        message and since when its buyer has waited, and the count of every tab (``mine``: ``agent``'s)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return queue_rows(session, shop_id, query)


@tickets_api.route("/shops/<shop_id>/tickets/<ticket_id>")
class TicketDetail(MethodView):
    @tickets_api.arguments(TicketViewQuery, location="query")
    @tickets_api.response(200, TicketDetailOut)
    def get(self, query, shop_id: str, ticket_id: str):
        """A ticket with its conversation; ``audience=buyer`` shows what the buyer sees (no notes, no events);
        ``after``: only the messages after that message id."""
        with db().reading() as session:
            shop_context(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id)
            return views.ticket_detail(session, ticket, query["audience"], after=query["after"])


@tickets_api.route("/shops/<shop_id>/tickets/<ticket_id>/status")
class TicketStatus(MethodView):
    @tickets_api.arguments(StatusIn)
    @tickets_api.response(200, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """pending (on the buyer: SLA paused), open (resume), resolved, closed."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id, lock=True)
            return lifecycle.change_status(
                session, ctx, policy, ticket, data["status"], agent_id=data["agent_id"], reason=data["reason"]
            )


@tickets_api.route("/shops/<shop_id>/tickets/<ticket_id>/csat")
class TicketCsat(MethodView):
    @tickets_api.arguments(CsatIn)
    @tickets_api.response(201, TicketOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """The buyer rates a resolved conversation 1–5, once."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id, lock=True)
            return csat.rate(session, ctx, ticket, data["score"], data["comment"])
