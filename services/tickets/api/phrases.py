"""Quick phrases (快捷短语) and templates, with their usage per agent."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import phrases
from services.tickets.schemas.phrases import PhraseIn, PhraseOut
from services.tickets.views import phrase_uses
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

phrases_api = Blueprint("phrases", __name__, description="Quick phrases and templates")


@phrases_api.route("/shops/<shop_id>/phrases")
class Phrases(MethodView):
    @phrases_api.response(200, PhraseOut(many=True))
    def get(self, shop_id: str):
        """Quick phrases and templates, with their usage per agent."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return phrase_uses(session, shop_id)

    @phrases_api.arguments(PhraseIn)
    @phrases_api.response(201, PhraseOut)
    def post(self, data, shop_id: str):
        """A quick phrase or template; placeholders: {buyer_name} {order_no} {tracking_no} {carrier} {amount}."""
        with db().writing() as session:
            phrase = phrases.create(session, shop_context(session, shop_id), data)
            return phrase_uses(session, shop_id, phrase.id)[0]
