"""A conversation's messages: the buyer writes, an agent replies (checked against the platform's rules), notes."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import messages
from services.tickets.policy import context_and_policy
from services.tickets.schemas.conversation import MessageIn, MessageOut, NoteIn, ReplyOut
from services.tickets.ticket_state import load_ticket
from services.tickets.views import Reply
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

messages_api = Blueprint("messages", __name__, description="Buyer messages, agent replies and internal notes")


@messages_api.route("/shops/<shop_id>/tickets/<ticket_id>/messages")
class TicketMessages(MethodView):
    @messages_api.arguments(MessageIn)
    @messages_api.response(201, ReplyOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """A buyer's message (reopens a resolved ticket) or an agent's reply (checked against the platform's rules;
        with ``phrase_id`` the phrase is filled from the ticket's order)."""
        with db().writing() as session:
            ctx, policy = context_and_policy(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id, lock=True)
            if data["author"] == "buyer":
                message = messages.buyer_writes(
                    session, ctx, policy, ticket, data["body"], channel=data["channel"], language=data["language"]
                )
            else:
                message, _ = messages.agent_replies(
                    session,
                    ctx,
                    policy,
                    ticket,
                    data["agent_id"],
                    data["body"],
                    phrase_id=data["phrase_id"],
                    channel=data["channel"],
                    await_buyer=data["await_buyer"],
                )
            return Reply(ticket, message)


@messages_api.route("/shops/<shop_id>/tickets/<ticket_id>/notes")
class TicketNotes(MethodView):
    @messages_api.arguments(NoteIn)
    @messages_api.response(201, MessageOut)
    def post(self, data, shop_id: str, ticket_id: str):
        """An internal note for colleagues; the buyer never sees it."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            ticket = load_ticket(session, shop_id, ticket_id)
            return messages.add_note(session, ctx, ticket, data["agent_id"], data["body"])
