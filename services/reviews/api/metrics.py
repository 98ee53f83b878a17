"""The metrics route: a period of shop time, per shop and per agent."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.reviews import metrics
from services.reviews.policy import ReviewPolicy
from services.reviews.schemas import MetricsQuery
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

metrics_api = Blueprint("review_metrics", __name__, description="Review metrics for a period")

Rate = lambda: fields.Float(allow_none=True)  # noqa: E731 - null when the denominator is 0


class DsrOut(Schema):
    days = fields.Integer()
    from_ = fields.AwareDateTime(data_key="from", attribute="from")
    reviews = fields.Integer()
    as_described = fields.Float(allow_none=True)
    service = fields.Float(allow_none=True)
    logistics = fields.Float(allow_none=True)


class ShopFiguresOut(Schema):
    reviews = fields.Integer()
    positive = fields.Integer()
    neutral = fields.Integer()
    negative = fields.Integer()
    positive_rate = Rate()
    neutral_negative = fields.Integer()
    first_neutral_negative = fields.Integer()
    recovered = fields.Integer()
    recovery_rate = Rate()
    replied = fields.Integer()
    reply_rate = Rate()
    average_reply_seconds = fields.Float(allow_none=True)
    mismatched = fields.Integer()
    removed = fields.Integer()
    dsr = fields.Nested(DsrOut)
    orders = fields.Integer()
    orders_with_negative_review = fields.Integer()
    orders_disputed = fields.Integer()
    defective_orders = fields.Integer()
    order_defect_rate = Rate()


class AgentFiguresOut(Schema):
    agent_id = fields.String()
    replies = fields.Integer()
    average_reply_seconds = fields.Float(allow_none=True)
    contact_attempts = fields.Integer()
    reviews_contacted = fields.Integer()
    recovered = fields.Integer()
    recovery_rate = Rate()
    removals_granted = fields.Integer()
    removals_refused = fields.Integer()


class MetricsOut(Schema):
    shop_id = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    shop = fields.Nested(ShopFiguresOut)
    agents = fields.List(fields.Nested(AgentFiguresOut))


@metrics_api.route("/shops/<shop_id>/metrics")
class ReviewMetrics(MethodView):
    @metrics_api.arguments(MetricsQuery(), location="query")
    @metrics_api.response(200, MetricsOut)
    def get(self, query, shop_id: str):
        """好评率, DSR (rolling window ending at ``to``), neutral/negative, bad-review recovery, reply rate and time,
        order defect rate for [from, to) of shop time; per agent: replies, contacts, recoveries, removal requests."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            start, end = query["from_"], query["to"]
            dsr_days = query["dsr_days"] or ReviewPolicy.of(ctx.profile).dsr_window_days
            return {
                "shop_id": shop_id,
                "from_": start,
                "to": end,
                "shop": metrics.shop_metrics(session, shop_id, start, end, dsr_days),
                "agents": metrics.agent_metrics(session, shop_id, start, end, query["agent"]),
            }
