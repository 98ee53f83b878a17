"""What a student does on a review (through the gateway, ``agent_id`` set from the session): reply publicly, edit
the reply, record contact attempts with the buyer, ask the platform to remove the review."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.reviews import follow_up_work, replies
from services.reviews.models import ContactAttempt, RemovalRequest
from services.reviews.reviewing import load_review
from services.reviews.schemas import ContactIn, ContactOut, RemovalIn, RemovalOut, ReplyIn, ReplyOut
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

agent_actions_api = Blueprint("agent_actions", __name__, description="Agent actions: reply, contact, removal")

REVIEW = "/shops/<shop_id>/reviews/<review_id>"


@agent_actions_api.route(f"{REVIEW}/reply")
class Reply(MethodView):
    @agent_actions_api.arguments(ReplyIn())
    @agent_actions_api.response(201, ReplyOut)
    def post(self, data, shop_id: str, review_id: str):
        """The shop's one public reply, within the reply window, checked against the platform's rules (a refused
        text is a 422 naming ``text``, the rule and the words; warnings come back with the reply)."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return replies.reply(session, ctx, review_id, data["agent_id"], data["text"])

    @agent_actions_api.arguments(ReplyIn())
    @agent_actions_api.response(200, ReplyOut)
    def patch(self, data, shop_id: str, review_id: str):
        """Edit the reply within the edit window (checked again; the first text is kept)."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return replies.edit_reply(session, ctx, review_id, data["agent_id"], data["text"])


@agent_actions_api.route(f"{REVIEW}/contacts")
class Contacts(MethodView):
    @agent_actions_api.response(200, ContactOut(many=True))
    def get(self, shop_id: str, review_id: str):
        """Every contact attempt about the review, oldest first."""
        with db().reading() as session:
            shop_context(session, shop_id)
            review = load_review(session, shop_id, review_id)
            return session.scalars(
                select(ContactAttempt)
                .where(ContactAttempt.shop_id == shop_id, ContactAttempt.review_id == review.id)
                .order_by(ContactAttempt.id)
            ).all()

    @agent_actions_api.arguments(ContactIn())
    @agent_actions_api.response(201, ContactOut)
    def post(self, data, shop_id: str, review_id: str):
        """Record an attempt to reach the buyer of a neutral/negative review (channel, outcome, note)."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return follow_up_work.record_contact(
                session, ctx, review_id, data["agent_id"], channel=data["channel"], outcome=data["outcome"],
                note=data["note"],
            )  # fmt: skip


@agent_actions_api.route(f"{REVIEW}/removal-requests")
class RemovalRequests(MethodView):
    @agent_actions_api.response(200, RemovalOut(many=True))
    def get(self, shop_id: str, review_id: str):
        """Every removal request on the review and its judgement."""
        with db().reading() as session:
            shop_context(session, shop_id)
            review = load_review(session, shop_id, review_id)
            return session.scalars(
                select(RemovalRequest)
                .where(RemovalRequest.shop_id == shop_id, RemovalRequest.review_id == review.id)
                .order_by(RemovalRequest.id)
            ).all()

    @agent_actions_api.arguments(RemovalIn())
    @agent_actions_api.response(201, RemovalOut)
    def post(self, data, shop_id: str, review_id: str):
        """Ask the platform to remove the review under one of its rules: granted (the review is removed) or
        refused, with the rule and the words that decided it."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return follow_up_work.request_removal(
                session, ctx, review_id, data["agent_id"], rule=data["rule"], note=data["note"]
            )
