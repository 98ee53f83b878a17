"""The metrics route: a period of shop time, per shop and per agent."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.orders import metrics
from services.orders.schemas.metrics import MetricsOut, MetricsQuery
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

metrics_api = Blueprint("shop_metrics", __name__, description="Shop and agent metrics for a period")


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
                "currency": ctx.currency,
                "from_": start,
                "to": end,
                "shop": metrics.shop_metrics(session, shop_id, start, end),
                "agents": metrics.agent_metrics(session, shop_id, start, end, query["agent"]),
            }
