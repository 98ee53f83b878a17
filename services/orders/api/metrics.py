"""The metrics route: a period of shop time, per shop and per agent."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.orders import metrics
from services.orders.api.shop_context import db, shop_context
from services.orders.schemas import MetricsQuery

metrics_api = Blueprint("shop_metrics", __name__, description="Shop and agent metrics for a period")

Rate = lambda: fields.Float(allow_none=True)  # noqa: E731 - null when the denominator is 0
Amount = lambda: fields.Decimal(as_string=True, places=2, allow_none=True)  # noqa: E731


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


@metrics_api.route("/shops/<shop_id>/metrics")
class ShopMetrics(MethodView):
    @metrics_api.arguments(MetricsQuery(), location="query")
    @metrics_api.response(200, MetricsOut)
    def get(self, query, shop_id: str):
        """Refund, return, reminder success, average order value, cancellation, late shipment and valid tracking
        rates for [from, to) of shop time; ``agent`` narrows the per-agent list to one agent."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            start, end = query["from_"], query["to"]
            return {
                "shop_id": shop_id,
                "currency": ctx.shop.currency,
                "from_": start,
                "to": end,
                "shop": metrics.shop_metrics(session, shop_id, start, end),
                "agents": metrics.agent_metrics(session, shop_id, start, end, query["agent"]),
            }
