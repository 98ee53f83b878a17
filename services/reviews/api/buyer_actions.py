"""What a buyer does (through the gateway's buyer API): review a line, revise, follow up; and whether an order may
be reviewed."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.reviews import reviewing
from services.reviews.reviewing import Written
from services.reviews.schemas import FollowUpIn, ReviewableOut, ReviewIn, ReviewOut, RevisionIn
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

buyer_actions_api = Blueprint("buyer_actions", __name__, description="Buyer actions: review, revise, follow up")


def _written(data) -> Written:
    return Written(
        text=data["text"], photos=data.get("photos", []), stars=data.get("stars"), scores=data.get("scores", {})
    )


@buyer_actions_api.route("/shops/<shop_id>/orders/<order_id>/reviewable")
class Reviewable(MethodView):
    @buyer_actions_api.response(200, ReviewableOut)
    def get(self, shop_id: str, order_id: str):
        """Whether the order's lines may be reviewed now (and why not), until when, and which are reviewed."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            return reviewing.reviewable(session, ctx, order_id)


@buyer_actions_api.route("/shops/<shop_id>/orders/<order_id>/reviews")
class OrderReviews(MethodView):
    @buyer_actions_api.arguments(ReviewIn())
    @buyer_actions_api.response(201, ReviewOut)
    def post(self, data, shop_id: str, order_id: str):
        """Review one line (``sku``) of a delivered order within the review window: stars, text, the three
        dimension scores, photo URLs. Buyer action."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return reviewing.post_review(session, ctx, order_id, data["customer_id"], data["sku"], _written(data))


@buyer_actions_api.route("/shops/<shop_id>/reviews/<review_id>/revision")
class Revision(MethodView):
    @buyer_actions_api.arguments(RevisionIn())
    @buyer_actions_api.response(200, ReviewOut)
    def post(self, data, shop_id: str, review_id: str):
        """The buyer's one revision of a neutral/negative review (up or down) within the revision window. Buyer
        action."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return reviewing.revise_review(session, ctx, review_id, data["customer_id"], _written(data))


@buyer_actions_api.route("/shops/<shop_id>/reviews/<review_id>/follow-up")
class FollowUp(MethodView):
    @buyer_actions_api.arguments(FollowUpIn())
    @buyer_actions_api.response(200, ReviewOut)
    def post(self, data, shop_id: str, review_id: str):
        """The buyer's one follow-up review (追评): text and photos within the follow-up window. Buyer action."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return reviewing.follow_up(session, ctx, review_id, data["customer_id"], _written(data))
