"""The work beyond the chat queue: unpaid orders to remind, refunds and returns waiting for a decision, disputes
with their deadlines (``/shops/<shop>/work``); an order's own page when no conversation is about it; the student's
metrics with their charts; and the instructor's list of their classes' shops. Each is rendered from one call of the
public API's joined views, in-process."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, g, render_template, request
from sqlalchemy import select

from gateway import access, metrics_view, work_views
from gateway.models import Classroom, Shop
from gateway.shop_views import clock_of
from gateway.web.formats import CLASSROOM_TIMEZONE
from gateway.web.language import gettext as _
from gateway.web.page_access import page, shop_of_page
from gateway.web.panel import panel_context
from gateway.web.workbench import LIVE_EVENTS, error_page
from shoplab.errors import ShopLabError
from shoplab.plumbing.web import db

work_pages = Blueprint("web_work", __name__)


@work_pages.route("/desk/<shop_id>/work")
@page
def worklists(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    lists = work_views.worklists(shop_id, shop.clock.now().isoformat())
    template = "_worklists.html" if request.args.get("fragment") else "worklists.html"
    return render_template(template, shop=shop, lists=lists, live_events=LIVE_EVENTS, clock=clock_of(shop))


@work_pages.route("/desk/<shop_id>/orders/<order_id>")
@page
def order_page(shop_id: str, order_id: str) -> Response:
    shop = shop_of_page(shop_id)
    view, status = work_views.order_view(shop_id, order_id)
    if status == 404:
        abort(404)
    template = "_order_panel.html" if request.args.get("fragment") else "order.html"
    return render_template(
        template,
        shop=shop,
        view=view,
        panel=panel_context(shop, view),
        clock=clock_of(shop),
        live_events=LIVE_EVENTS,
        can_act=g.who.is_student,
        oob=False,
    )


@work_pages.route("/desk/<shop_id>/metrics")
@page
def my_metrics(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    try:
        start, end = metrics_view.period_of(request.args.get("from"), request.args.get("to"), CLASSROOM_TIMEZONE)
        problem = None
    except ShopLabError as exc:
        start, end = metrics_view.period_of(None, None, CLASSROOM_TIMEZONE)
        problem = exc.message
    agent = g.who.user_id if g.who.is_student else None
    figures = metrics_view.my_metrics(shop_id, agent, start, end, shop.clock, CLASSROOM_TIMEZONE)
    charts = {
        "buckets": ((figures.get("tickets") or {}).get("first_response") or {}).get("buckets") or {},
        "bucket_labels": bucket_labels(),
        "bucket_order": list(bucket_labels()),
        "daily": figures["daily"],
    }
    return render_template(
        "metrics.html",
        shop=shop,
        figures=figures,
        charts=json.dumps(charts),
        first_day=start,
        last_day=end,
        problem=problem,
        live_events=LIVE_EVENTS,
    )


def bucket_labels() -> dict[str, str]:
    return {
        "<=30s": _("≤30 s"),
        "30s-1m": _("30 s–1 min"),
        "1-3m": _("1–3 min"),
        "3-10m": _("3–10 min"),
        "10m-1h": _("10 min–1 h"),
        "1h-24h": _("1–24 h"),
        ">24h": _(">24 h"),
        "unanswered": _("Unanswered"),
    }


@work_pages.route("/classes")
@page
def classes() -> Response:
    """The classes an instructor teaches and their shops, each with a way into its queue (observer)."""
    if not g.who.is_instructor:
        abort(404)
    with db().reading() as reading:
        rooms = reading.scalars(access.classes_visible_to(g.who)).all()
        shops = reading.scalars(access.shops_visible_to(g.who)).all()
        by_class: dict[str | None, list[Shop]] = {}
        for shop in shops:
            by_class.setdefault(shop.class_id, []).append(shop)
        names = dict(reading.execute(select(Classroom.id, Classroom.name)).all())
    groups = [(room.id, room.name, by_class.pop(room.id, [])) for room in rooms]
    groups += [(class_id, names.get(class_id, ""), rest) for class_id, rest in by_class.items()]
    return render_template("classes.html", groups=groups)


@work_pages.errorhandler(ShopLabError)
def _refused(exc: ShopLabError):
    return error_page(exc.status, exc.message)


@work_pages.errorhandler(404)
def _not_found(_exc):
    return error_page(404, "")
