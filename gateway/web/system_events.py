"""System events in the page's language. The tickets service writes each one as English text with a code and the
params it was written from (``services/tickets/system_events.py``); here each code has its wording, in the
catalogue like every string of the pages, so a Chinese student reads Chinese. Codes among the params (a rating, a
close reason, a proposal, a ruling) go through ``labels``; people's own words (a review's excerpt, a buyer's
comment, a blacklist reason) are shown as written.

An event without a code (written before codes existed), with a code this page does not know (a newer service), or
whose params cannot be worded is shown as its stored text: a line is never hidden. Sentences are whole strings (not
fragments glued together) so that the Chinese can put the words in its own order; a line with an optional part has
one string with and one without it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import format_date

from gateway.queue_view import excerpt
from gateway.web.formats import money, shop_time
from gateway.web.labels import label
from gateway.web.language import gettext as _

Params = dict[str, Any]


def text_of(message: dict) -> str:
    """What a system event says in the page's language; its stored text when it cannot be worded here."""
    stored = message.get("body") or ""
    wording = WORDINGS.get(message.get("code") or "")
    if wording is None:
        return stored
    try:
        return "\n".join(wording(message.get("params") or {}))
    except (KeyError, TypeError, ValueError):  # params from another version of the service: its text still says it
        return stored


def last_words(message: dict) -> str:
    """A queue row's last message: a system event worded in the page's language, cut like the stored excerpt."""
    if message.get("kind") == "event" and message.get("code"):
        return excerpt(text_of(message))
    return message.get("body") or ""


def _date(value: Any) -> str:
    return format_date(datetime.fromisoformat(str(value)), "medium") if value else "—"


def _change(p: Params) -> str:
    """``3★ 中评 → 1★ 差评``: stars and ratings only, no words to put in order."""
    before = f"{p['previous_stars']}★ {label('rating', p['previous_rating'])}"
    return f"{before} → {p['stars']}★ {label('rating', p['rating'])}"


def _care_task(p: Params) -> list[str]:
    kind = label("care_kind", p["kind"])
    lines = [
        _(
            "Care task (%(kind)s) for %(who)s: send the suggested message below, as it is or in your words",
            kind=kind,
            who=p["who"],
        )
    ]
    local = str(p["local_time"])[:16].replace("T", " ")  # the customer's own clock, as crm gives it
    if p.get("timezone"):
        lines.append(_("Due %(time)s the customer's time (%(zone)s)", time=local, zone=p["timezone"]))
    else:
        lines.append(_("Due %(time)s the customer's time (time zone unknown)", time=local))
    if p.get("expires_at"):
        lines.append(_("Closes itself unanswered at %(when)s (shop time)", when=shop_time(p["expires_at"])))
    profile = []
    if p.get("grade"):
        profile.append(_("Grade %(grade)s", grade=p["grade"]))
    if p.get("segment"):
        profile.append(_("Segment: %(segment)s", segment=label("segment", p["segment"])))
    if p.get("country"):
        profile.append(_("Country: %(country)s", country=p["country"]))
    if profile:
        lines.append(" · ".join(profile))
    return lines


def _blacklisted_buyer(p: Params) -> list[str]:
    words = {"who": p["who"], "reason": p["reason"], "by": p["blacklisted_by"], "date": _date(p["blacklisted_at"])}
    if p.get("amount") is not None:
        return [
            _(
                "⚠ Blacklisted buyer %(who)s: %(reason)s (blacklisted by %(by)s on %(date)s). New order "
                "%(order_no)s of %(amount)s: check it before shipping.",
                order_no=p["order_no"],
                amount=money(p["amount"], p.get("currency")),
                **words,
            )
        ]
    return [
        _(
            "⚠ Blacklisted buyer %(who)s: %(reason)s (blacklisted by %(by)s on %(date)s). New order %(order_no)s: "
            "check it before shipping.",
            order_no=p["order_no"],
            **words,
        )
    ]


def _review_posted(p: Params) -> list[str]:
    lines = [
        _(
            "%(rating)s review %(stars)s★ by %(buyer)s on order %(order_no)s, %(item)s (%(sku)s):",
            rating=label("rating", p["rating"]),
            stars=p["stars"],
            buyer=p["buyer_name"],
            order_no=p["order_no"],
            item=p["item"],
            sku=p["sku"],
        ),
        f"“{p['excerpt']}”",
        _(
            "Scores: as described %(described)s, service %(service)s, logistics %(logistics)s; text reads "
            "%(sentiment)s (%(score)s)",
            described=p["as_described"],
            service=p["service"],
            logistics=p["logistics"],
            sentiment=label("sentiment", p["sentiment"]),
            score=p["sentiment_score"],
        ),
    ]
    if p.get("mismatch"):
        lines.append(_("Stars and text disagree: %(mismatch)s", mismatch=label("mismatch", p["mismatch"])))
    if p.get("revise_by"):
        lines.append(_("The buyer may revise it once until %(when)s (shop time)", when=shop_time(p["revise_by"])))
    lines.append(_("Review %(id)s", id=p["review_id"]))
    return lines


def _review_revised_down(p: Params) -> list[str]:
    if p["direction"] == "same":
        text = _(
            "The buyer revised the review without raising the stars: %(change)s: “%(excerpt)s”. It cannot be "
            "revised again: reply publicly, or ask the platform to remove it if a rule applies, then resolve.",
            change=_change(p),
            excerpt=p["excerpt"],
        )
    else:
        text = _(
            "The buyer revised the review down: %(change)s: “%(excerpt)s”. It cannot be revised again: reply "
            "publicly, or ask the platform to remove it if a rule applies, then resolve.",
            change=_change(p),
            excerpt=p["excerpt"],
        )
    return [text]


def _reason(p: Params) -> str:
    return label("close_reason", p["reason"])


def _task_closed(p: Params) -> list[str]:
    return [_("Closed automatically: %(reason)s", reason=_reason(p))]


def _task_closed_revised_up(p: Params) -> list[str]:
    if p["recovered"]:
        return [_("Closed automatically: %(reason)s — %(change)s (recovered)", reason=_reason(p), change=_change(p))]
    return [
        _(
            "Closed automatically: %(reason)s — %(change)s (still %(rating)s)",
            reason=_reason(p),
            change=_change(p),
            rating=label("rating", p["rating"]),
        )
    ]


def _task_closed_review_removed(p: Params) -> list[str]:
    rule = label("removal_rule", p["rule"])
    return [
        _(
            "Closed automatically: %(reason)s — removed under the platform's rule: %(rule)s",
            reason=_reason(p),
            rule=rule,
        )
    ]


def _task_closed_window_passed(p: Params) -> list[str]:
    when = shop_time(p["revise_by"])
    return [_("Closed automatically: %(reason)s — not revised by %(when)s (shop time)", reason=_reason(p), when=when)]


def _payment_reminder(p: Params) -> list[str]:
    words = {"order_no": p["order_no"], "amount": money(p["amount"], p["currency"]), "when": shop_time(p["pay_by"])}
    if p.get("failure_reason"):
        failure = label("payment_failure", p["failure_reason"])
        return [
            _(
                "Unpaid order %(order_no)s: %(amount)s, pay by %(when)s (shop time); payment failed: %(failure)s",
                failure=failure,
                **words,
            )
        ]
    return [_("Unpaid order %(order_no)s: %(amount)s, pay by %(when)s (shop time)", **words)]


def _parcel_exception(p: Params) -> list[str]:
    words = {"what": label("shipment_status", p["kind"]), "carrier": p["carrier"], "number": p["tracking_no"]}
    if p.get("detail"):
        return [_("Parcel trouble: %(what)s — %(carrier)s %(number)s: %(detail)s", detail=p["detail"], **words)]
    return [_("Parcel trouble: %(what)s — %(carrier)s %(number)s", **words)]


def _refund_requested(p: Params) -> list[str]:
    words = {
        "kind": label("refund_kind", p["refund_kind"]),
        "amount": money(p["amount"], p["currency"]),
        "reason": label("after_sale_reason", p["reason"]),
    }
    if p.get("note"):
        return [_("Refund requested (%(kind)s): %(amount)s, reason: %(reason)s — %(note)s", note=p["note"], **words)]
    return [_("Refund requested (%(kind)s): %(amount)s, reason: %(reason)s", **words)]


def _return_requested(p: Params) -> list[str]:
    return [_("Return requested: %(status)s", status=label("return_status", p["status"]))]


def _dispute_opened(p: Params) -> list[str]:
    return [
        _(
            "Dispute opened: %(reason)s, %(amount)s asked; evidence: %(evidence)s; respond by %(when)s (shop time)",
            reason=label("after_sale_reason", p["reason"]),
            amount=money(p["amount"], p["currency"]),
            evidence=p["evidence"],
            when=shop_time(p["respond_by"]),
        )
    ]


def _dispute_proposed(p: Params) -> list[str]:
    return [
        _(
            "The shop proposed: %(proposal)s, %(amount)s (%(evidence)s pieces of evidence)",
            proposal=label("proposal", p["proposal"]),
            amount=money(p["amount"], p["currency"]),
            evidence=p["evidence"],
        )
    ]


def _dispute_rejected(p: Params) -> list[str]:
    if p.get("comment"):
        return [_("The buyer rejected the proposal: %(comment)s", comment=p["comment"])]
    return [_("The buyer rejected the proposal")]


def _dispute_accepted(p: Params) -> list[str]:
    outcome, refund = label("outcome", p["outcome"]), money(p["refund"], p.get("currency"))
    return [_("The buyer accepted: %(outcome)s, refund %(refund)s", outcome=outcome, refund=refund)]


def _dispute_ruled(p: Params) -> list[str]:
    return [
        _(
            "The platform ruled: %(outcome)s (%(reason)s), refund %(refund)s",
            outcome=label("outcome", p["outcome"]),
            reason=label("ruling_reason", p["reason"]),
            refund=money(p["refund"], p.get("currency")),
        )
    ]


# code (services/tickets/system_events.CODES) → its wording: the lines it shows
WORDINGS: dict[str, Callable[[Params], list[str]]] = {
    "care_task": _care_task,
    "blacklisted_buyer": _blacklisted_buyer,
    "review_posted": _review_posted,
    "review_revised_down": _review_revised_down,
    "task_closed": _task_closed,
    "task_closed_revised_up": _task_closed_revised_up,
    "task_closed_review_removed": _task_closed_review_removed,
    "task_closed_window_passed": _task_closed_window_passed,
    "payment_reminder": _payment_reminder,
    "parcel_exception": _parcel_exception,
    "refund_requested": _refund_requested,
    "return_requested": _return_requested,
    "dispute_opened": _dispute_opened,
    "dispute_proposed": _dispute_proposed,
    "dispute_rejected": _dispute_rejected,
    "dispute_accepted": _dispute_accepted,
    "dispute_ruled": _dispute_ruled,
}
