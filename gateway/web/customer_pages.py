"""Customers (客户管理) and care tasks (客户关怀): the shop's customers filtered by tag, RFM segment, grade or
name, with the segment counts drawn as a chart and the filtered list exported (CSV or Excel); one customer's
profile with tags (add, remove), RFM, grade, blacklist, reviews and the timeline of what they did; the care tasks
crm announced to the queue. Reads are forwarded calls of the public API; every change is a call of the public JSON
API from the browser (an instructor's import too, as a file upload)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, render_template, request

from gateway.web.formats import current_locale
from gateway.web.language import gettext as _
from gateway.web.page_access import page, shop_of_page
from gateway.web.review_pages import read, read_all
from gateway.web.workbench import LIVE_EVENTS, error_page
from shoplab.contracts.crm import CARE_KINDS
from shoplab.errors import ShopLabError

customer_pages = Blueprint("web_customers", __name__)
FILTERS = ("tag", "segment", "grade", "q", "blacklisted")
PAGE_SIZE = 50


def customer_filters(args) -> dict[str, str]:
    found = {name: (args.get(name) or "").strip()[:64] for name in FILTERS}
    if found["blacklisted"] not in ("", "true", "false"):
        found["blacklisted"] = ""
    return found


def segment_chart(segments: list[dict]) -> str:
    """The segments with customers, largest first, as the chart script reads them."""
    shown = sorted((s for s in segments if s.get("customers")), key=lambda s: -s["customers"])
    return json.dumps(
        {
            "title": _("Customers per RFM segment"),
            "labels": [segment_name(s) for s in shown],
            "values": [s["customers"] for s in shown],
            "horizontal": True,
        },
        ensure_ascii=False,
    )


def segment_name(segment: dict) -> str:
    """The segment map is data (crm's rfm_segments.yaml) in both languages."""
    chinese = current_locale() == "zh_CN"
    return (segment.get("name_zh") if chinese else segment.get("name")) or segment.get("code", "")


@customer_pages.route("/desk/<shop_id>/customers")
@page
def customers(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    filters = customer_filters(request.args)
    try:
        offset = max(int(request.args.get("offset") or 0), 0)
    except ValueError:
        offset = 0
    params: dict[str, Any] = {k: v for k, v in filters.items() if v} | {"limit": PAGE_SIZE, "offset": offset}
    found = read_all(
        shop, {"listed": ("/customers", params), "segments": ("/segments", None), "tags": ("/tags", None),
               "rfm": ("/rfm", None)},
    )  # fmt: skip
    (listed, problem), segments, tags, rfm = found["listed"], *(found[name][0] for name in ("segments", "tags", "rfm"))
    chosen = {k: v for k, v in filters.items() if v}
    return render_template(
        "customers.html",
        shop=shop,
        page=listed or {"total": 0, "items": []},
        offset=offset,
        page_size=PAGE_SIZE,
        problem=problem,
        filters=filters,
        query=urlencode(chosen),
        segments=segments or [],
        segment_names={s["code"]: segment_name(s) for s in segments or []},
        tags_in_use=sorted(((tags or {}).get("in_use") or {}).items()),
        rfm=rfm,
        chart=segment_chart(segments) if any(s.get("customers") for s in segments or []) else None,
        live_events=LIVE_EVENTS,
        can_act=g.who.is_student,
    )


@customer_pages.route("/desk/<shop_id>/customers/<customer_id>")
@page
def customer(shop_id: str, customer_id: str) -> Response:
    shop = shop_of_page(shop_id)
    found = read_all(
        shop,
        {
            "profile": (f"/customers/{customer_id}", None),
            "timeline": (f"/customers/{customer_id}/timeline", {"limit": 100}),
            "reviews": ("/reviews", {"customer_id": customer_id, "status": "all"}),
            "tickets": ("/tickets", {"customer_id": customer_id}),
            "segments": ("/segments", None),
        },
    )
    (profile, problem), (timeline, timeline_problem), (reviews, reviews_problem) = (
        found["profile"], found["timeline"], found["reviews"],
    )  # fmt: skip
    if profile is None:
        return error_page(503, _("The customer could not be read just now; try again in a moment."))
    tickets, segments = found["tickets"][0], found["segments"][0]
    missing = {name: why for name, why in (("timeline", timeline_problem), ("reviews", reviews_problem)) if why}
    return render_template(
        "customer.html",
        shop=shop,
        profile=profile,
        timeline=timeline or [],
        reviews=reviews or [],
        tickets=((tickets or {}).get("items") if isinstance(tickets, dict) else tickets) or [],
        segment_names={s["code"]: segment_name(s) for s in segments or []},
        problem=problem,
        missing=missing,
        live_events=LIVE_EVENTS,
        can_act=g.who.is_student,
    )


@customer_pages.route("/desk/<shop_id>/care")
@page
def care_tasks(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    kind = request.args.get("kind") or ""
    params: dict[str, Any] = {"limit": 100} | ({"kind": kind} if kind in CARE_KINDS else {})
    tasks, problem = read(shop, "/care-tasks", params)
    return render_template(
        "care.html",
        shop=shop,
        tasks=tasks or [],
        kind=kind if kind in CARE_KINDS else "",
        problem=problem,
        live_events=LIVE_EVENTS,
    )


@customer_pages.errorhandler(ShopLabError)
def _refused(exc: ShopLabError):
    return error_page(exc.status, exc.message)


@customer_pages.errorhandler(404)
def _not_found(_exc):
    return error_page(404, "")
