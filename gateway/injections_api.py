"""Instructors inject into live shops: into one shop, or every shop of a class (``gateway/injections.py``).

``POST /api/v1/shops/<shop_id>/injections`` and ``POST /api/v1/classes/<class_id>/injections`` record and send
them (202: the owning service makes it happen within moments, through the bus); ``GET`` on either lists them. Only
instructors of the class (and admins): a student seated in the shop gets 403, anyone outside it 404. The order each
injection acts on is settled before anything is written (``gateway/injection_targets.py``): a shop with nothing to
inject into is a 409, a class's such shops are listed as skipped.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from gateway import access, injection_targets, injections
from gateway.models import Shop
from gateway.sessions import current_identity, instructors_only
from shoplab.contracts.injections import KINDS
from shoplab.contracts.orders import PAYMENT_FAILURE_REASONS
from shoplab.contracts.tickets import DISPUTE_REASONS
from shoplab.errors import InvalidInput
from shoplab.plumbing.web import db

injections_api = Blueprint("injections", __name__, url_prefix="/api/v1", description="Instructors' injections")

MAX_FLOOD = 50
REASONS = {"dispute": DISPUTE_REASONS, "failed_payment": PAYMENT_FAILURE_REASONS}


class InjectionIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    order_id = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "an order of this shop (one shop only); without it the newest order that fits"},
    )
    text = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "the buyer's words (default: a realistic text in the buyers' language); "
                  "{order_no} and {product} are filled from the order"},
    )  # fmt: skip
    reason = fields.String(metadata={"description": f"dispute: {', '.join(DISPUTE_REASONS)}; failed_payment: "
                                     f"{', '.join(PAYMENT_FAILURE_REASONS)}"})  # fmt: skip
    count = fields.Integer(validate=validate.Range(min=1, max=MAX_FLOOD), metadata={"description": "presale_flood"})
    note = fields.String(validate=validate.Length(max=500), metadata={"description": "the instructor's own note"})

    @validates_schema
    def _fits_the_kind(self, data, **_) -> None:
        kind = data.get("kind")
        if kind is None:
            return
        errors: dict[str, list[str]] = {}
        if "reason" in data:
            if kind not in REASONS:
                errors["reason"] = [f"not a parameter of {kind}"]
            elif data["reason"] not in REASONS[kind]:
                errors["reason"] = [f"one of {', '.join(REASONS[kind])}"]
        if "count" in data and kind != "presale_flood":
            errors["count"] = [f"not a parameter of {kind}"]
        if kind == "presale_flood":
            data.setdefault("count", 10)
            if "order_id" in data:
                errors["order_id"] = ["pre-sale questions are asked before any order"]
        if errors:
            raise ValidationError(errors)


class InjectionOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    class_id = fields.String(allow_none=True)
    kind = fields.String()
    order_id = fields.String(allow_none=True)
    language = fields.String()
    details = fields.Dict(metadata={"description": "reason, text, buyer, questions: what was sent"})
    note = fields.String(allow_none=True)
    created_by = fields.String(
        allow_none=True, metadata={"description": "the instructor; a scenario's: the one who started the run"}
    )
    created_at = fields.AwareDateTime(attribute="created_wall_at")
    event_id = fields.String(allow_none=True, metadata={"description": "none: a scenario's, skipped at once"})
    run_id = fields.String(
        allow_none=True, metadata={"description": "the scenario run that scripted it (none: an instructor's own)"}
    )
    outcome = fields.Function(
        lambda row: "skipped" if row.skipped_reason else "sent",
        metadata={"description": "sent; skipped when the owner found nothing to act on after all (then the reason)"},
    )
    skipped_reason = fields.String(allow_none=True)


class SkippedOut(Schema):
    shop_id = fields.String()
    shop_name = fields.String()
    reason = fields.String(metadata={"description": "why nothing was injected there: the order the kind needs"})
    needed_state = fields.String(metadata={"description": "the order state the kind needs"})


class ClassInjectionsOut(Schema):
    injections = fields.List(fields.Nested(InjectionOut), metadata={"description": "one record per shop reached"})
    skipped = fields.List(fields.Nested(SkippedOut), metadata={"description": "shops without a fitting order"})


@injections_api.route("/shops/<shop_id>/injections")
class ShopInjections(MethodView):
    @instructors_only
    @injections_api.response(200, InjectionOut(many=True))
    def get(self, shop_id: str):
        """The shop's injections, newest first."""
        with db().reading() as session:
            access.visible_shop(session, current_identity(), shop_id)
            return injections.listing(session, shop_id=shop_id)

    @instructors_only
    @injections_api.arguments(InjectionIn)
    @injections_api.response(202, InjectionOut(many=True))
    def post(self, data, shop_id: str):
        """Inject into this shop: a dispute, a one-star review, a lost parcel, a customs hold, an angry buyer, a
        failed payment or a flood of pre-sale questions; it reaches the student's queue within moments."""
        who = current_identity()
        with db().reading() as session:
            access.visible_shop(session, who, shop_id)
        # before anything is written: the named order is this shop's and in a state the kind needs, and the owner
        # says which order it will act on (409 naming order_id when none fits)
        if data.get("order_id"):
            injections.check_order(shop_id, data["kind"], data["order_id"])
        order_id = injection_targets.order_for(shop_id, data["kind"], data.get("order_id"))
        with db().writing() as session:
            shop = access.visible_shop(session, who, shop_id)
            return injections.inject(session, [shop], data, {shop.id: order_id}, by=who.user_id)


@injections_api.route("/classes/<class_id>/injections")
class ClassInjections(MethodView):
    @instructors_only
    @injections_api.response(200, InjectionOut(many=True))
    def get(self, class_id: str):
        """The injections into the class's shops, newest first."""
        with db().reading() as session:
            access.taught_class(session, current_identity(), class_id)
            return injections.listing(session, class_id=class_id)

    @instructors_only
    @injections_api.arguments(InjectionIn)
    @injections_api.response(202, ClassInjectionsOut)
    def post(self, data, class_id: str):
        """Inject into every shop of the class at once, each on its own newest fitting order; shops without one are
        listed in ``skipped`` with the reason (409 when no shop has one)."""
        if data.get("order_id"):
            raise InvalidInput("an order belongs to one shop", {"order_id": ["inject into the order's shop instead"]})
        who = current_identity()
        with db().reading() as session:
            access.taught_class(session, who, class_id)
            shops = session.scalars(select(Shop).where(Shop.class_id == class_id).order_by(Shop.id)).all()
            if not shops:
                raise InvalidInput("the class has no shop yet", {"class_id": ["no shops to inject into"]})
        orders, skipped = injection_targets.orders_for_class(shops, data["kind"])  # asked outside the write
        with db().writing() as session:
            access.taught_class(session, who, class_id)
            reached = session.scalars(
                select(Shop).where(Shop.class_id == class_id, Shop.id.in_(orders)).order_by(Shop.id)
            ).all()
            rows = injections.inject(session, reached, data, orders, by=who.user_id, class_id=class_id)
            return {"injections": rows, "skipped": skipped}
