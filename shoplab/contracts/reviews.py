"""Events the reviews service publishes. Other services read these; add fields freely, rename or remove none.

Every review event names the shop, the order and its line (``sku``), the customer, the review's stars now and its
rating class (positive / neutral / negative by the shop's platform profile). ``review.posted`` of a neutral or
negative review (``needs_follow_up``) carries what the service queue needs to open a follow-up task (中差评跟进):
order id and number, customer id, buyer name and language, stars, an excerpt of the text and until when the buyer
may revise it (``revise_by``).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts

RATINGS = ["positive", "neutral", "negative"]
Rating = lambda **kw: fields.String(validate=validate.OneOf(RATINGS), **kw)  # noqa: E731
Stars = lambda **kw: fields.Integer(validate=validate.Range(min=1, max=5), **kw)  # noqa: E731


class ReviewRef(Schema):
    """What every review event carries."""

    shop_id = fields.String(required=True)
    review_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    sku = fields.String(required=True, metadata={"description": "the order line reviewed"})
    line_title = fields.String(load_default="", metadata={"description": "the product's title on that line"})
    customer_id = fields.String(required=True)
    stars = Stars(required=True, metadata={"description": "the review's stars now"})
    rating = Rating(required=True, metadata={"description": "positive, neutral or negative, by the profile's rule"})


class Scores(Schema):
    as_described = Stars(required=True)
    service = Stars(required=True)
    logistics = Stars(required=True)


class Sentiment(Schema):
    score = fields.Float(required=True, metadata={"description": "-1 (negative) … 1 (positive)"})
    label = Rating(required=True)
    language = fields.String(required=True, metadata={"description": "zh (snownlp) or en (VADER)"})


class ReviewPosted(ReviewRef):
    buyer_name = fields.String(required=True)
    buyer_language = fields.String(required=True)
    text_excerpt = fields.String(required=True, metadata={"description": "the first 140 characters"})
    scores = fields.Nested(Scores, required=True, metadata={"description": "DSR dimension scores 1-5"})
    photos = fields.Integer(load_default=0, metadata={"description": "how many photos"})
    sentiment = fields.Nested(Sentiment, required=True)
    mismatch = fields.String(
        load_default=None, allow_none=True, metadata={"description": "stars and text disagree (see docs/reviews.md)"}
    )
    needs_follow_up = fields.Boolean(required=True, metadata={"description": "neutral or negative: open a task"})
    posted_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    revise_by = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "shop time; null when it may not be revised"}
    )


class ReviewRevised(ReviewRef):
    previous_stars = Stars(required=True)
    previous_rating = Rating(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down", "same"]))
    recovered = fields.Boolean(required=True, metadata={"description": "neutral/negative revised to a better class"})
    text_excerpt = fields.String(required=True)
    revised_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class ReviewReplied(ReviewRef):
    agent_id = fields.String(required=True)
    reply_excerpt = fields.String(required=True)
    edited = fields.Boolean(required=True, metadata={"description": "an edit of the shop's reply, not the first"})
    reply_seconds = fields.Float(
        load_default=None, allow_none=True, metadata={"description": "wall seconds from the review to the first reply"}
    )
    replied_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class ReviewRemoved(ReviewRef):
    rule = fields.String(required=True, metadata={"description": "the platform rule that removed it"})
    requested_by = fields.String(required=True, metadata={"description": "agent id"})
    removed_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class RevisionWindowClosed(ReviewRef):
    """A neutral/negative review was not revised within the profile's window: nothing left to follow up."""

    revise_by = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


CONTRACTS = contracts(
    Contract("review.posted", ReviewPosted, description="a buyer reviewed an order line"),
    Contract("review.revised", ReviewRevised, description="a buyer used their one revision of a review"),
    Contract("review.replied", ReviewReplied, description="the shop replied publicly to a review, or edited it"),
    Contract("review.removed", ReviewRemoved, description="the platform removed a review on the shop's request"),
    Contract(
        "review.revision_window_closed",
        RevisionWindowClosed,
        description="a neutral/negative review can no longer be revised: its follow-up is over",
    ),
)
