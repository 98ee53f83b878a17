"""Reviews (评价管理): the shop's reviews with their stars, the text's sentiment and the stars-and-text mismatch flag,
filtered for the neutral/negative ones to follow up; one review with its versions, the shop's public reply (checked
against the platform's rules while it is typed, and again by the reviews service), contact attempts with the buyer
and removal requests. Reads are forwarded calls of the public API (``public_api.staff_call``); every change is a
call of the public JSON API from the browser."""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request

from gateway import joined
from gateway.models import Shop
from gateway.public_api import staff_call
from gateway.tokens import Identity
from gateway.web.language import gettext as _
from gateway.web.page_access import page, shop_of_page
from gateway.web.workbench import LIVE_EVENTS, error_page
from shoplab.errors import ShopLabError
from shoplab.shops.profiles import load_profile

review_pages = Blueprint("web_reviews", __name__)
RATINGS = ("positive", "neutral", "negative")
CHART_SAMPLE = 200  # the newest reviews the star chart counts (the reviews service lists at most 200 at once)


def read(shop: Shop, sub_path: str, params: dict | None = None, who: Identity | None = None) -> tuple[Any, str | None]:
    """A forwarded read for the signed-in person: (its answer, None), or (None, why it is missing) when the service
    refused or did not answer; a page shows what it has and says what it lacks. ``who``: given when read in another
    thread (``read_all``)."""
    try:
        answer = staff_call(who or g.who, shop.id, "GET", sub_path, params=params)
    except ShopLabError as exc:
        return None, exc.message
    if answer.status == 404:
        abort(404)
    if not answer.ok:
        return None, f"{answer.status}"
    return answer.json(), None


def read_all(shop: Shop, reads: dict[str, tuple[str, dict | None]]) -> dict[str, tuple[Any, str | None]]:
    """Several forwarded reads of one page at once: name -> (sub-path, params) gives name -> (answer, why missing)."""
    who = g.who
    jobs = {name: functools.partial(read, shop, path, params, who) for name, (path, params) in reads.items()}
    return joined.run_all(jobs)


def review_filters(args) -> dict[str, Any]:
    rating = args.get("rating") or ""
    return {
        "rating": rating if rating in RATINGS else "",
        "follow_up": args.get("follow_up") == "1",
        "mismatch": args.get("mismatch") == "1",
    }


def star_counts(reviews: list[dict]) -> dict[str, int]:
    counts = {str(stars): 0 for stars in range(1, 6)}
    for review in reviews:
        if str(review.get("stars")) in counts:
            counts[str(review["stars"])] += 1
    return counts


@review_pages.route("/desk/<shop_id>/reviews")
@page
def reviews(shop_id: str) -> Response:
    shop = shop_of_page(shop_id)
    filters = review_filters(request.args)
    params: dict[str, Any] = {"limit": 100}
    if filters["rating"]:
        params["rating"] = filters["rating"]
    if filters["follow_up"]:
        params["needs_follow_up"] = "true"
    if filters["mismatch"]:
        params["mismatch"] = "true"
    found = read_all(shop, {"listed": ("/reviews", params), "sample": ("/reviews", {"limit": CHART_SAMPLE})})
    (listed, problem), (sample, _problem) = found["listed"], found["sample"]
    chart = {
        "title": _("Reviews by stars"),
        "labels": [_("%(n)s★", n=n) for n in range(1, 6)],
        "values": list(star_counts(sample or []).values()),
        "colors": ["#d9363e", "#f08a24", "#f2c037", "#8fc866", "#43a047"],
    }
    template = "_reviews.html" if request.args.get("fragment") else "reviews.html"
    return render_template(
        template,
        shop=shop,
        reviews=listed or [],
        problem=problem,
        filters=filters,
        chart=json.dumps(chart, ensure_ascii=False) if sample else None,
        live_events=LIVE_EVENTS,
        can_act=g.who.is_student,
    )


@review_pages.route("/desk/<shop_id>/reviews/<review_id>")
@page
def review(shop_id: str, review_id: str) -> Response:
    shop = shop_of_page(shop_id)
    found, problem = read(shop, f"/reviews/{review_id}")
    if found is None:
        return error_page(503, _("The review could not be read just now; try again in a moment."))
    rules = load_profile(shop.platform).get("reviews", {}).get("removal_rules", [])
    template = "_review_detail.html" if request.args.get("fragment") else "review.html"
    return render_template(
        template,
        shop=shop,
        review=found,
        problem=problem,
        removal_rules=rules,
        live_events=LIVE_EVENTS,
        can_act=g.who.is_student,
    )


@review_pages.errorhandler(ShopLabError)
def _refused(exc: ShopLabError):
    return error_page(exc.status, exc.message)


@review_pages.errorhandler(404)
def _not_found(_exc):
    return error_page(404, "")
