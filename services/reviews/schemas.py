"""The reviews API's request and response bodies (marshmallow; documented in /openapi.json).

Numbers are strict integers (``1.5``, ``"5"``, ``true`` and ``10**30`` are refused, naming the field); what depends on
the shop's platform (text length, number of photos, which rules exist) is checked by the rules, also naming the
field."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from services.reviews.follow_up_work import CHANNELS, OUTCOMES
from services.reviews.models import Review, ReviewVersion
from services.reviews.policy import DIMENSIONS, NEGATIVE, NEUTRAL, RATINGS
from shoplab.contracts.bounded import Integer, Period

Stars = lambda **kw: fields.Integer(strict=True, validate=validate.Range(min=1, max=5), **kw)  # noqa: E731
Agent = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
Customer = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
# Long enough for any platform's limit; the rule then applies the shop's own (``reviews.text_max_chars``).
Text = lambda **kw: fields.String(validate=validate.Length(max=20000), **kw)  # noqa: E731
Photos = lambda: fields.List(  # noqa: E731
    fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500)),
    load_default=list,
    validate=validate.Length(max=50),
    metadata={"description": "photo URLs (at most the profile's max_photos)"},
)


class ScoresIn(Schema):
    as_described = Stars(required=True, metadata={"description": "描述相符 item as described, 1-5"})
    service = Stars(required=True, metadata={"description": "服务态度 service, 1-5"})
    logistics = Stars(required=True, metadata={"description": "物流服务 logistics, 1-5"})


class ReviewIn(Schema):
    customer_id = Customer(required=True, metadata={"description": "the buyer (the gateway sets it from the key)"})
    sku = fields.String(required=True, validate=validate.Length(min=1, max=60), metadata={"description": "the line"})
    stars = Stars(required=True)
    text = Text(required=True)
    scores = fields.Nested(ScoresIn, required=True)
    photos = Photos()


class RevisionIn(Schema):
    customer_id = Customer(required=True)
    stars = Stars(required=True)
    text = Text(required=True)
    scores = fields.Nested(ScoresIn, required=True)
    photos = Photos()


class FollowUpIn(Schema):
    customer_id = Customer(required=True)
    text = Text(required=True)
    photos = Photos()


class ReplyIn(Schema):
    agent_id = Agent(required=True, metadata={"description": "the student (the gateway sets it from the session)"})
    text = Text(required=True)


class ContactIn(Schema):
    agent_id = Agent(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = Text(load_default="")


class RemovalIn(Schema):
    agent_id = Agent(required=True)
    rule = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "one of the profile's reviews.removal_rules ids"},
    )
    note = Text(load_default="")


class ReviewQuery(Schema):
    rating = fields.String(load_default=None, validate=validate.OneOf(RATINGS), metadata={"description": "now"})
    customer_id = fields.String(load_default=None)
    order_id = fields.String(load_default=None)
    status = fields.String(load_default="published", validate=validate.OneOf(["published", "removed", "all"]))
    needs_follow_up = fields.Boolean(load_default=None, metadata={"description": "neutral/negative, not revised"})
    mismatch = fields.Boolean(load_default=None, metadata={"description": "stars and text disagree"})
    limit = Integer(load_default=50, minimum=1, maximum=200)


class MetricsQuery(Period):
    """A period of shop time."""

    agent = fields.String(load_default=None)
    dsr_days = Integer(
        load_default=None,
        minimum=1,
        maximum=3650,
        metadata={"description": "the DSR window; default the profile's dsr_window_days (180)"},
    )


# ---- responses


def _scores(obj: Any) -> dict[str, int | None] | None:
    if getattr(obj, "stars", None) is None:
        return None
    return {dimension: getattr(obj, dimension) for dimension in DIMENSIONS}


class SentimentOut(Schema):
    score = fields.Float(metadata={"description": "-1 negative … 1 positive"})
    label = fields.String()
    language = fields.String(metadata={"description": "zh: snownlp, en: VADER"})


def sentiment_of(v: ReviewVersion) -> dict[str, Any]:
    return {"score": v.sentiment_score, "label": v.sentiment_label, "language": v.language}


def needs_follow_up(review: Review) -> bool:
    return (
        review.status == "published"
        and review.rating in (NEUTRAL, NEGATIVE)
        and review.revised_at is None
        and review.revision_closed_at is None
    )


class VersionOut(Schema):
    seq = fields.Integer()
    kind = fields.String(metadata={"description": "review, revision or follow_up (追评)"})
    stars = fields.Integer(allow_none=True)
    rating = fields.String(allow_none=True)
    scores = fields.Function(_scores, allow_none=True)
    text = fields.String()
    photos = fields.List(fields.String())
    sentiment = fields.Function(sentiment_of)
    mismatch = fields.String(allow_none=True)
    written_at = fields.AwareDateTime(metadata={"description": "shop time"})
    written_wall_at = fields.AwareDateTime()


class ReplyOut(Schema):
    agent_id = fields.String()
    text = fields.String()
    first_text = fields.String()
    edits = fields.Integer()
    warnings = fields.List(fields.Dict(), metadata={"description": "warn rules the text breaks"})
    reply_seconds = fields.Float(metadata={"description": "wall seconds from the review to the first reply"})
    replied_at = fields.AwareDateTime()
    replied_wall_at = fields.AwareDateTime()
    edited_by = fields.String(allow_none=True)
    edited_at = fields.AwareDateTime(allow_none=True)
    edited_wall_at = fields.AwareDateTime(allow_none=True)


def _rated(review: Review) -> ReviewVersion | None:
    return next((v for v in reversed(review.versions) if v.kind != "follow_up"), None)


def _follow_up(review: Review) -> ReviewVersion | None:
    return next((v for v in review.versions if v.kind == "follow_up"), None)


class ReviewOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    order_id = fields.String()
    order_no = fields.String()
    sku = fields.String()
    line_title = fields.String()
    product_id = fields.String()
    customer_id = fields.String()
    buyer_name = fields.String()
    buyer_language = fields.String()
    status = fields.String(metadata={"description": "published or removed"})
    stars = fields.Integer()
    rating = fields.String(metadata={"description": "positive, neutral or negative now"})
    scores = fields.Function(_scores)
    first_stars = fields.Integer()
    first_rating = fields.String()
    needs_follow_up = fields.Function(
        needs_follow_up, metadata={"description": "neutral/negative now, and the buyer may still revise it"}
    )
    text = fields.Function(lambda r: v.text if (v := _rated(r)) else "")
    photos = fields.Function(lambda r: v.photos if (v := _rated(r)) else [])
    sentiment = fields.Function(lambda r: sentiment_of(v) if (v := _rated(r)) else None)
    mismatch = fields.String(allow_none=True)
    follow_up = fields.Function(lambda r: VersionOut().dump(f) if (f := _follow_up(r)) else None)
    posted_at = fields.AwareDateTime(metadata={"description": "shop time"})
    posted_wall_at = fields.AwareDateTime()
    revised_at = fields.AwareDateTime(allow_none=True)
    followed_up_at = fields.AwareDateTime(allow_none=True)
    revision_closed_at = fields.AwareDateTime(allow_none=True)
    removed_at = fields.AwareDateTime(allow_none=True)
    removed_rule = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(VersionOut))
    reply = fields.Nested(ReplyOut, allow_none=True)


class ContactOut(Schema):
    id = fields.Integer()
    review_id = fields.String()
    agent_id = fields.String()
    channel = fields.String()
    outcome = fields.String()
    note = fields.String()
    contacted_at = fields.AwareDateTime(metadata={"description": "shop time"})
    contacted_wall_at = fields.AwareDateTime()


class RemovalOut(Schema):
    id = fields.Integer()
    review_id = fields.String()
    agent_id = fields.String()
    rule = fields.String()
    note = fields.String()
    decision = fields.String(metadata={"description": "granted or refused"})
    matched = fields.List(fields.String())
    explanation = fields.String()
    requested_at = fields.AwareDateTime()
    requested_wall_at = fields.AwareDateTime()


class ReviewDetailOut(ReviewOut):
    contacts = fields.List(fields.Nested(ContactOut))
    removal_requests = fields.List(fields.Nested(RemovalOut))


class ReviewableLineOut(Schema):
    sku = fields.String()
    title = fields.String()
    quantity = fields.Integer()
    review_id = fields.String(allow_none=True)


class ReviewableOut(Schema):
    order_id = fields.String()
    order_no = fields.String()
    customer_id = fields.String()
    reviewable = fields.Boolean()
    reason = fields.String(
        allow_none=True,
        metadata={"description": "not_delivered, cancelled, closed_by_refund, window_closed, lines_unknown"},
    )
    review_by = fields.AwareDateTime(allow_none=True, metadata={"description": "shop time"})
    lines = fields.List(fields.Nested(ReviewableLineOut))
