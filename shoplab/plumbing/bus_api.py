"""Routes every service has: its copy of a shop, and its dead letters (listed and replayed)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from shoplab.errors import Conflict, NotFound
from shoplab.eventbus.envelope import InvalidEvent
from shoplab.eventbus.tables import DeadLetter
from shoplab.shops.replica import get_shop

bus_api = Blueprint("bus", __name__, description="The service's copy of shops, and its dead letters")


class ClockOut(Schema):
    wall_anchor = fields.AwareDateTime()
    sim_anchor = fields.AwareDateTime()
    speed = fields.Float()
    paused = fields.Boolean()
    version = fields.Integer()
    now = fields.AwareDateTime(metadata={"description": "the shop's simulated time now"})


class ShopCopyOut(Schema):
    id = fields.String()
    name = fields.String()
    platform = fields.String()
    currency = fields.String()
    class_id = fields.String(allow_none=True)
    clock = fields.Nested(ClockOut)


class DeadLetterOut(Schema):
    id = fields.Integer()
    event_id = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    reason = fields.String(metadata={"description": "invalid (refused) or failed (after its retries)"})
    error = fields.String()
    attempts = fields.Integer()
    created_at = fields.AwareDateTime(attribute="created_wall_at")
    replayed_at = fields.AwareDateTime(attribute="replayed_wall_at", allow_none=True)
    message = fields.String(metadata={"description": "the message as received"})


class DeadLetterQuery(Schema):
    include_replayed = fields.Boolean(load_default=False)


class ReplayOut(Schema):
    id = fields.Integer()
    outcome = fields.String(metadata={"description": "handled, or duplicate when it had already taken effect"})


def _runtime():
    return current_app.extensions["shoplab"]


@bus_api.route("/shops/<shop_id>")
class ShopCopyView(MethodView):
    @bus_api.response(200, ShopCopyOut)
    def get(self, shop_id: str):
        """This service's copy of a shop and its clock (404 until ``shop.opened`` has arrived)."""
        with _runtime().db.reading() as session:
            return get_shop(session, shop_id).to_dict()


@bus_api.route("/dead-letters")
class DeadLetterList(MethodView):
    @bus_api.arguments(DeadLetterQuery, location="query")
    @bus_api.response(200, DeadLetterOut(many=True))
    def get(self, query):
        """Events this service refused or could not handle after its retries."""
        stmt = select(DeadLetter).order_by(DeadLetter.id)
        if not query["include_replayed"]:
            stmt = stmt.where(DeadLetter.replayed_wall_at.is_(None))
        with _runtime().db.reading() as session:
            return session.scalars(stmt).all()


@bus_api.route("/dead-letters/<int(max=2147483647):letter_id>/replay")  # an id column is 32-bit
class DeadLetterReplay(MethodView):
    @bus_api.response(200, ReplayOut)
    def post(self, letter_id: int):
        """Hand a dead letter to its handler again, once the cause is fixed; it stays listed if it fails again."""
        consumer = _runtime().consumer
        try:
            outcome = consumer.replay(letter_id)
        except LookupError as exc:
            raise NotFound(f"no dead letter {letter_id}", {"letter_id": ["unknown"]}) from exc
        except InvalidEvent as exc:
            consumer.record_replay_failure(letter_id, str(exc))
            raise Conflict(f"still invalid: {exc.reason}", exc.fields) from exc
        except Exception as exc:
            consumer.record_replay_failure(letter_id, repr(exc))
            raise Conflict(f"the handler failed again: {exc!r}", {"letter_id": ["handler failed"]}) from exc
        return {"id": letter_id, "outcome": outcome}
