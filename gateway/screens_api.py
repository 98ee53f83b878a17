"""The joined views behind the workbench's other screens, and the reply check the composer runs while a student
types: each is the public API the web pages call in-process (``gateway/web``), so the UI shows nothing the API
would not give.
"""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway import access, metrics_view, work_views
from gateway.sessions import current_identity
from gateway.shop_views import clock_of
from gateway.web.formats import CLASSROOM_TIMEZONE
from shoplab import content_rules
from shoplab.plumbing.web import db
from shoplab.shops.profiles import load_profile

screens_api = Blueprint(
    "screens", __name__, url_prefix="/api/v1/shops", description="Joined views of the work lists, orders and metrics"
)
MAX_BODY = 2000


def shop_in_reach(shop_id: str):
    who = current_identity()
    with db().reading() as session:
        return who, access.visible_shop(session, who, shop_id)


@screens_api.route("/<shop_id>/order-views/<order_id>")
class OrderViewItem(MethodView):
    @screens_api.response(
        200,
        description="order, payments, reminders, tracking, refunds, returns, disputes, tickets (conversations about "
        "the order), customer, clock; a part whose service did not answer is null and named in 'unavailable'",
    )
    def get(self, shop_id: str, order_id: str):
        """An order and everything about it, in one call (answers within 2 s even if a service is down)."""
        _, shop = shop_in_reach(shop_id)
        body, status = work_views.order_view(shop_id, order_id)
        if status == 200:
            body["clock"] = clock_of(shop)
        response = jsonify(body)
        response.status_code = status
        return response


@screens_api.route("/<shop_id>/worklists")
class Worklists(MethodView):
    @screens_api.response(200, description="reminders_due, refunds, returns, disputes, shop_now, unavailable")
    def get(self, shop_id: str):
        """The work beyond the chat queue: unpaid orders that may be reminded now (closest to their deadline first),
        refunds and returns waiting for the shop (oldest first), open disputes (nearest deadline first), each with
        the conversation it belongs to when there is one."""
        _, shop = shop_in_reach(shop_id)
        return jsonify(work_views.worklists(shop_id, shop.clock.now().isoformat()))


class MetricsPeriod(Schema):
    from_ = fields.String(data_key="from", load_default=None, metadata={"description": "first day, YYYY-MM-DD"})
    to = fields.String(load_default=None, metadata={"description": "last day (included), YYYY-MM-DD"})


@screens_api.route("/<shop_id>/my-metrics")
class MyMetrics(MethodView):
    @screens_api.arguments(MetricsPeriod, location="query")
    @screens_api.response(200, description="tickets (reply-time metrics), orders (mine and the shop's), daily trend")
    def get(self, query, shop_id: str):
        """Your metrics over whole days in the classroom's time zone (default: the last 7 days; at most 31): first
        and average response time, response rate within the target, inquiry conversion, CSAT, SLA breaches, your
        payment reminders' success, and the same per day. An instructor gets the whole shop's."""
        who, shop = shop_in_reach(shop_id)
        start, end = metrics_view.period_of(query["from_"], query["to"], CLASSROOM_TIMEZONE)
        agent = who.user_id if who.is_student else None
        return jsonify(metrics_view.my_metrics(shop_id, agent, start, end, shop.clock, CLASSROOM_TIMEZONE))


class ReplyCheckIn(Schema):
    body = fields.String(required=True, validate=validate.Length(max=MAX_BODY))


@screens_api.route("/<shop_id>/reply-check")
class ReplyCheck(MethodView):
    @screens_api.arguments(ReplyCheckIn)
    @screens_api.response(200, description="verdict (ok, warn, refuse) and the violations: rule, action, words")
    def post(self, data, shop_id: str):
        """Check a reply against the shop's platform rules before sending it (the composer calls it while the
        student types): which rules it breaks and with which words. Sending runs the same check again and refuses
        a reply that breaks a ``refuse`` rule."""
        _, shop = shop_in_reach(shop_id)
        return jsonify(reply_verdict(data["body"], shop.platform))


def reply_verdict(text: str, platform: str) -> dict:
    violations = content_rules.check_text(text, load_profile(platform)["forbidden_content"])
    actions = {v.action for v in violations}
    verdict = "refuse" if "refuse" in actions else "warn" if violations else "ok"
    return {"verdict": verdict, "violations": [v.to_dict() for v in violations]}
