"""Metrics for a period (wall clock), per shop, agent or group, and the per-conversation CSV export."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from services.tickets import daily, export, metrics
from services.tickets.policy import context_and_policy
from services.tickets.schemas.metrics import (
    AgentMetricsOut,
    AgentMetricsQuery,
    DailyQuery,
    DayOut,
    ExportQuery,
    MetricsOut,
    MetricsQuery,
)
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

metrics_api = Blueprint("queue_metrics", __name__, description="Reply-time and service metrics; the CSV export")


@metrics_api.route("/shops/<shop_id>/metrics")
class Metrics(MethodView):
    @metrics_api.arguments(MetricsQuery, location="query")
    @metrics_api.response(200, MetricsOut)
    def get(self, query, shop_id: str):
        """Reply-time and service metrics for a period, for the shop, an agent (``agent=``) or a group."""
        scope = metrics.Scope(shop_id, query["from_"], query["to"], query["agent"], query["group"])
        with db().reading() as session:
            ctx, policy = context_and_policy(session, shop_id)
            within = query["within"] or policy.targets.response_rate_within_seconds
            return metrics.compute(session, scope, within=within, now=ctx.wall_now)


@metrics_api.route("/shops/<shop_id>/metrics/daily")
class DailyMetrics(MethodView):
    @metrics_api.arguments(DailyQuery, location="query")
    @metrics_api.response(200, DayOut(many=True))
    def get(self, query, shop_id: str):
        """The period day by day (midnights of ``timezone``): first response (count, mean), response rate within
        the target, tickets handled — the daily trend of a person's metrics, in one call."""
        scope = metrics.Scope(shop_id, query["from_"], query["to"], query["agent"], query["group"])
        with db().reading() as session:
            ctx, policy = context_and_policy(session, shop_id)
            within = query["within"] or policy.targets.response_rate_within_seconds
            return daily.daily(session, scope, query["timezone"], within=within, now=ctx.wall_now)


@metrics_api.route("/shops/<shop_id>/metrics/agents")
class AgentMetrics(MethodView):
    @metrics_api.arguments(AgentMetricsQuery, location="query")
    @metrics_api.response(200, AgentMetricsOut(many=True))
    def get(self, query, shop_id: str):
        """The same metrics for every agent of the shop (a class dashboard's table), one row per agent."""
        with db().reading() as session:
            ctx, policy = context_and_policy(session, shop_id)
            within = query["within"] or policy.targets.response_rate_within_seconds
            return metrics.per_agent(session, shop_id, query["from_"], query["to"], within=within, now=ctx.wall_now)


@metrics_api.route("/shops/<shop_id>/tickets/export.csv")
class TicketExport(MethodView):
    @metrics_api.arguments(ExportQuery, location="query")
    @metrics_api.response(200, content_type="text/csv", description="one row per ticket opened in the period")
    def get(self, query, shop_id: str):
        """Per-conversation export (kind, agent, first response, rounds, resolution, CSAT, breaches), streamed."""
        with db().reading() as session:
            shop_context(session, shop_id)
        body = export.rows(db().reading, shop_id, query["from_"], query["to"])
        return Response(
            stream_with_context(body),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="tickets-{shop_id}.csv"'},
        )
