"""The buyer API's own routes, answered by the gateway (the rest of ``/api/v1/buyer/shops/<shop_id>`` is forwarded:
``gateway/public_api.py``): the customers a buyer key acts as, and the feed of what changed in the shop.

A buyer key of the shop is the credential (``Authorization: Bearer bk_...``). ``sessions.fence_request`` checks it
for every buyer path before any view reads a body, so a request without one is a 401 and another shop's key a 404
whatever the body says."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway import access, buyer_keys, live
from gateway.schemas import CustomerIn, CustomerOut
from shoplab.contracts.bounded import Integer
from shoplab.errors import InvalidInput, Unauthorized
from shoplab.plumbing.web import db

buyer_api = Blueprint("buyer", __name__, url_prefix="/api/v1/buyer", description="The buyer API's own routes")
CUSTOMER_ID_MAX = 64


class FeedQuery(Schema):
    after = Integer(metadata={"description": "the last seq seen; without it, only the current seq"})


class FeedItemOut(Schema):
    seq = fields.Integer()
    type = fields.String(metadata={"description": "the event type, e.g. message.received"})
    ids = fields.Dict(metadata={"description": "what to look at again: ticket_id, order_id, customer_id, ..."})


class FeedOut(Schema):
    seq = fields.Integer(metadata={"description": "send as after next time"})
    complete = fields.Boolean(metadata={"description": "false: some were dropped (or none asked): read everything"})
    items = fields.List(fields.Nested(FeedItemOut))


CUSTOMER_PARAMETER = {
    "in": "path",
    "name": "customer_id",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": CUSTOMER_ID_MAX},
}


def buyer_key_for(shop_id: str) -> buyer_keys.BuyerKeyIdentity:
    """The buyer key of this request, which must be one of this shop's (another shop's key: 404, as if unknown).
    Looked up once per request: the fence and the view both ask."""
    if "buyer_key" not in g:
        header = request.headers.get("Authorization", "")
        key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        with db().reading() as session:
            g.buyer_key = buyer_keys.identify(session, key) if key else None
    identity = g.buyer_key
    if identity is None:
        raise Unauthorized(
            "the buyer API takes a shop's buyer key", {"Authorization": ["'Bearer <buyer key>' of this shop"]}
        )
    if identity.shop_id != shop_id:
        raise access.not_found_shop(shop_id)
    return identity


@buyer_api.route("/shops/<shop_id>/customers/<customer_id>", parameters=[CUSTOMER_PARAMETER])
class BuyerCustomer(MethodView):
    @buyer_api.response(200, CustomerOut)
    def get(self, shop_id: str, customer_id: str):
        """A registered customer of the shop (404 when not registered)."""
        _check(shop_id, customer_id)
        with db().reading() as session:
            return buyer_keys.customer(session, shop_id, customer_id)

    @buyer_api.arguments(CustomerIn)
    @buyer_api.response(200, CustomerOut, description="updated")
    @buyer_api.alt_response(201, schema=CustomerOut, description="registered", success=True)
    def put(self, details: dict[str, Any], shop_id: str, customer_id: str):
        """Register (201) or update (200) the customer a buyer key acts as; name it afterwards with the
        ``X-Customer-Id`` header."""
        _check(shop_id, customer_id)
        with db().writing() as session:
            row, created = buyer_keys.save_customer(session, shop_id, customer_id, details)
            return row, 201 if created else 200


@buyer_api.route("/shops/<shop_id>/feed")
class BuyerFeed(MethodView):
    @buyer_api.arguments(FeedQuery, location="query")
    @buyer_api.response(200, FeedOut)
    def get(self, query: dict[str, Any], shop_id: str):
        """What changed in the shop since ``after`` (the shop's live notifications: ids to look at again): the
        simulator reads its buyers' conversations and orders again only when they changed. ``complete`` false:
        some were dropped (more than the last 500), read everything again. A buyer key acts as any customer of its
        shop, so the shop-wide ids tell it nothing it could not read."""
        buyer_key_for(shop_id)
        after = query.get("after")
        client = live.redis_client()
        if after is None:
            return {"seq": live.current_seq(client, shop_id), "complete": False, "items": []}
        items, complete = live.since(client, shop_id, after)
        seq = items[-1]["seq"] if items else (after if complete else live.current_seq(client, shop_id))
        return {
            "seq": seq,
            "complete": complete,
            "items": [{"seq": i["seq"], "type": i["type"], "ids": i["ids"]} for i in items],
        }


def _check(shop_id: str, customer_id: str) -> None:
    buyer_key_for(shop_id)  # the fence asked already (the answer is kept): said here too, where it is relied on
    if len(customer_id) > CUSTOMER_ID_MAX:
        raise InvalidInput("customer ids are at most 64 characters", {"customer_id": ["too long"]})
