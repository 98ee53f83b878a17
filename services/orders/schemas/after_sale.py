"""Refund and return bodies (售后)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.orders.refunds import KINDS, REASONS
from services.orders.returns import RESOLUTIONS
from services.orders.schemas.actors import Agent, Note
from services.orders.schemas.orders import AddressSchema
from shoplab.contracts.money import Money


class RefundIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    amount_cents = Money(
        data_key="amount", positive=True, load_default=None, metadata={"description": "default: all that is left"}
    )
    note = Note(load_default="")
    requested_by = fields.String(load_default="buyer", validate=validate.Length(min=1, max=64))


class DecisionIn(Schema):
    agent_id = Agent(required=True)
    note = Note(load_default="")
    return_address = fields.Nested(AddressSchema, load_default=None, metadata={"description": "default: profile's"})


class RejectionIn(Schema):
    agent_id = Agent(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={"description": "why"})


class RefundOut(Schema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String()
    reason = fields.String()
    amount = Money(attribute="amount_cents")
    status = fields.String(metadata={"description": "requested | approved | rejected | completed | closed"})
    note = fields.String()
    requested_by = fields.String()
    requested_at = fields.AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    return_id = fields.String(allow_none=True)
    dispute_id = fields.String(allow_none=True)


class ReturnIn(Schema):
    resolution = fields.String(load_default="refund", validate=validate.OneOf(RESOLUTIONS))
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    amount_cents = Money(
        data_key="amount",
        positive=True,
        load_default=None,
        metadata={"description": "refund resolution: default all that is left"},
    )
    note = Note(load_default="")
    requested_by = fields.String(load_default="buyer", validate=validate.Length(min=1, max=64))


class ShipBackIn(Schema):
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ReceiveIn(Schema):
    agent_id = Agent(required=True)
    note = Note(load_default="", metadata={"description": "the goods' condition"})


class ActorIn(Schema):
    agent_id = Agent(required=True)


class ExchangeIn(Schema):
    agent_id = Agent(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ReturnOut(Schema):
    id = fields.String()
    order_id = fields.String()
    refund_id = fields.String(allow_none=True)
    resolution = fields.String()
    reason = fields.String()
    status = fields.String(
        metadata={"description": "requested | approved | shipped_back | received | refunded | exchanged | rejected"}
    )
    note = fields.String()
    requested_at = fields.AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    return_address = fields.Dict(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    shipped_back_at = fields.AwareDateTime(allow_none=True)
    received_by = fields.String(allow_none=True)
    received_at = fields.AwareDateTime(allow_none=True)
    exchange_shipment_id = fields.String(allow_none=True)
