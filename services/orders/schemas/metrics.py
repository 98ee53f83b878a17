"""Metrics bodies: a period of shop time, and the shop's and its agents' figures for it."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from shoplab.contracts.bounded import Period
from shoplab.contracts.money import Money


def Rate() -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": "null when nothing counts in the denominator"})


def Amount(**kw: Any) -> Money:
    return Money(allow_none=True, **kw)


class MetricsQuery(Period):
    """A period of shop time."""

    agent = fields.String(load_default=None, metadata={"description": "only what this agent did"})


class ShopFiguresOut(Schema):
    orders_placed = fields.Integer()
    orders_cancelled = fields.Integer()
    cancellation_rate = Rate()
    orders_paid = fields.Integer()
    paid_amount = Amount()
    paying_buyers = fields.Integer()
    average_order_value = Amount()
    refunded_orders = fields.Integer()
    refund_rate = Rate()
    dispute_refunded_orders = fields.Integer()
    dispute_refund_rate = Rate()
    orders_shipped = fields.Integer()
    late_shipments = fields.Integer()
    late_shipment_rate = Rate()
    returned_orders = fields.Integer()
    return_rate = Rate()
    parcels_shipped = fields.Integer()
    parcels_tracked = fields.Integer()
    valid_tracking_rate = Rate()
    reminded_orders = fields.Integer()
    recovered_orders = fields.Integer()
    reminder_success_rate = Rate()
    recovered_amount = Amount()


class AgentFiguresOut(Schema):
    agent_id = fields.String()
    reminded_orders = fields.Integer()
    recovered_orders = fields.Integer()
    reminder_success_rate = Rate()
    recovered_amount = Amount()
    refunds_approved = fields.Integer()
    refunds_rejected = fields.Integer()
    refund_amount_approved = Amount()
    parcels_shipped = fields.Integer()
    late_shipments = fields.Integer()
    late_shipment_rate = Rate()
    parcels_tracked = fields.Integer()
    valid_tracking_rate = Rate()


class MetricsOut(Schema):
    shop_id = fields.String()
    currency = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    shop = fields.Nested(ShopFiguresOut)
    agents = fields.List(fields.Nested(AgentFiguresOut))
