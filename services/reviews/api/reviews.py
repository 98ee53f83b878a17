"""Reading reviews: a shop's list (filters for the follow-up queue, a customer, an order), one review in full."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.reviews.review_queries import list_reviews, review_in_full
from services.reviews.schemas import ReviewDetailOut, ReviewOut, ReviewQuery
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

reviews_api = Blueprint("reviews", __name__, description="Reviews with their versions, sentiment and the shop's reply")


@reviews_api.route("/shops/<shop_id>/reviews")
class Reviews(MethodView):
    @reviews_api.arguments(ReviewQuery(), location="query")
    @reviews_api.response(200, ReviewOut(many=True))
    def get(self, query, shop_id: str):
        """The shop's reviews, newest first; ``needs_follow_up=true`` lists the neutral/negative ones the buyer may
        still revise, oldest first; ``customer_id`` a customer's (beside the chat)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return list_reviews(session, shop_id, query)


@reviews_api.route("/shops/<shop_id>/reviews/<review_id>")
class OneReview(MethodView):
    @reviews_api.response(200, ReviewDetailOut)
    def get(self, shop_id: str, review_id: str):
        """One review: every version with its sentiment, the follow-up, the reply, contact attempts and removal
        requests."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return review_in_full(session, shop_id, review_id)
