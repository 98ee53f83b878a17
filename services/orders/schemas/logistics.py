"""Shipping and tracking bodies: a shipment, a reshipment, a tracking exception, the tracking of an order."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.orders.schemas.actors import Agent
from services.orders.shipments import RESHIP_REASONS
from services.orders.timeline import EXCEPTION_KINDS


class ShipmentIn(Schema):
    carrier = fields.String(required=True, metadata={"description": "one of the profile's carriers"})
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    shipped_by = Agent(required=True)


class ReshipmentIn(ShipmentIn):
    reason = fields.String(required=True, validate=validate.OneOf(RESHIP_REASONS))
    replaces_shipment_id = fields.String(load_default=None)


class ExceptionIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(EXCEPTION_KINDS))
    detail = fields.String(load_default="", validate=validate.Length(max=500))
    delay_hours = fields.Float(
        load_default=None,
        validate=validate.Range(min=0, max=24 * 60),
        metadata={"description": "for delay, customs_hold, address_problem; default: the profile's delay_hours"},
    )


class ShipmentOut(Schema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String()
    reason = fields.String(allow_none=True)
    replaces_shipment_id = fields.String(allow_none=True)
    carrier = fields.String()
    tracking_no = fields.String()
    status = fields.String()
    shipped_at = fields.AwareDateTime()
    shipped_by = fields.String(allow_none=True)
    late = fields.Boolean()
    damaged = fields.Boolean()
    first_scan_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)


class TrackingEventOut(Schema):
    kind = fields.String(metadata={"description": "checkpoint or exception"})
    status = fields.String()
    location = fields.String()
    detail = fields.String()
    occurred_at = fields.AwareDateTime()


class ParcelOut(Schema):
    shipment = fields.Nested(ShipmentOut)
    events = fields.List(fields.Nested(TrackingEventOut))
    estimated_delivery_from = fields.AwareDateTime()
    estimated_delivery_to = fields.AwareDateTime()


class TrackingOut(Schema):
    order_id = fields.String()
    order_no = fields.String()
    state = fields.String()
    shipments = fields.List(fields.Nested(ParcelOut))
