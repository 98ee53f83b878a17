"""The shop's customer metrics for a period of shop time."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.crm.metrics import shop_metrics
from services.crm.schemas import MetricsQuery
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

metrics_api = Blueprint("crm_metrics", __name__, description="Customer metrics (services/crm/metrics.py)")


@metrics_api.route("/shops/<shop_id>/metrics")
class Metrics(MethodView):
    @metrics_api.arguments(MetricsQuery, location="query")
    @metrics_api.response(200)
    def get(self, query, shop_id: str):
        """Customers (new, repeat), segments, grades, tags, care tasks, blacklist and flagged orders in [from, to)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return shop_metrics(session, shop_id, query["from_"], query["to"])
