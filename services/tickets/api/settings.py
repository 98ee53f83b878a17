"""The shop's queue settings: the profile's routing, targets and welcome messages, with a scenario's overrides."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets.policy import change_settings, context_and_policy
from services.tickets.schemas.team import SettingsIn, SettingsOut
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

settings_api = Blueprint("queue_settings", __name__, description="Routing, SLA targets and welcome messages")


@settings_api.route("/shops/<shop_id>/queue-settings")
class QueueSettings(MethodView):
    @settings_api.response(200, SettingsOut)
    def get(self, shop_id: str):
        """Routing mode and cap, SLA targets and welcome messages in force (profile, then the shop's overrides)."""
        with db().reading() as session:
            return context_and_policy(session, shop_id)[1]

    @settings_api.arguments(SettingsIn)
    @settings_api.response(200, SettingsOut)
    def put(self, data, shop_id: str):
        """An instructor's scenario: override routing, targets (e.g. a 180 s chat target) or welcome messages."""
        with db().writing() as session:
            return change_settings(session, shop_context(session, shop_id), data)
