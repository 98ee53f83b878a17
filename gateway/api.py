"""The shop registry: shops, their clocks, their seats and their buyer keys."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from gateway import access, accounts, buyer_keys, live, shops
from gateway.models import ClassMember, ShopMember, User
from gateway.schemas import BuyerKeyIn, BuyerKeyOut, ClockIn, MemberIn, ShopIn, ShopOut, StudentOut
from gateway.sessions import current_identity, instructors_only
from shoplab.errors import InvalidInput
from shoplab.plumbing.web import current_runtime, db

shops_api = Blueprint("shops", __name__, url_prefix="/api/v1/shops", description="Shops, their clocks and seats")


@shops_api.route("")
class ShopList(MethodView):
    @shops_api.response(200, ShopOut(many=True))
    def get(self):
        """The shops you reach: every shop of the classes you teach, or the shops you sit in."""
        who = current_identity()
        with db().reading() as session:
            return session.scalars(access.shops_visible_to(who)).all()

    @shops_api.arguments(ShopIn)
    @shops_api.response(201, ShopOut)
    def post(self, data):
        """Open a shop on a platform profile (instructors) in a class you teach (default: your own class); every
        service hears of it by ``shop.opened``."""
        who = current_identity()
        access.require_instructor(who)
        with db().writing() as session:
            class_id = data["class_id"] or who.class_id
            if class_id is not None:
                access.taught_class(session, who, class_id)
            return shops.open_shop(
                session,
                name=data["name"],
                platform=data["platform"],
                class_id=class_id,
                created_by=who.user_id,
                speed=data["speed"],
            )


@shops_api.route("/<shop_id>")
class ShopItem(MethodView):
    @shops_api.response(200, ShopOut)
    def get(self, shop_id: str):
        """One shop and its clock."""
        with db().reading() as session:
            return access.visible_shop(session, current_identity(), shop_id)


@shops_api.route("/<shop_id>/clock")
class ShopClockView(MethodView):
    @instructors_only
    @shops_api.arguments(ClockIn)
    @shops_api.response(200, ShopOut)
    def post(self, data, shop_id: str):
        """Start, pause, speed up or jump the shop's simulated clock (instructors)."""
        who = current_identity()
        with db().writing() as session:
            access.visible_shop(session, who, shop_id)
            shop = shops.change_clock(
                session,
                shop_id,
                speed=data.get("speed"),
                paused=data.get("paused"),
                advance_seconds=data["advance_seconds"],
            )
        live.notify(current_runtime().redis, shop_id, "shop.clock_changed", {"version": shop.clock_version})
        return shop


@shops_api.route("/<shop_id>/members")
class ShopMembers(MethodView):
    @shops_api.response(200, StudentOut(many=True))
    def get(self, shop_id: str):
        """The students seated in the shop (its agents)."""
        with db().reading() as session:
            access.visible_shop(session, current_identity(), shop_id)
            users = session.scalars(
                select(User).join(ShopMember, ShopMember.user_id == User.id).where(ShopMember.shop_id == shop_id)
            ).all()
            return [_student(user) for user in users]

    @instructors_only
    @shops_api.arguments(MemberIn)
    @shops_api.response(201, StudentOut)
    def post(self, data, shop_id: str):
        """Seat a student of the shop's class in the shop (instructors); the queue hears ``agent.joined``."""
        who = current_identity()
        with db().writing() as session:
            shop = access.visible_shop(session, who, shop_id)
            access.require_instructor(who)
            member = session.get(ClassMember, (shop.class_id, data["user_id"])) if shop.class_id else None
            if member is None or member.role != "student":
                raise InvalidInput("not a student of this shop's class", {"user_id": ["unknown student"]})
            user = session.get(User, data["user_id"])
            accounts.seat_in_shop(session, shop, user)
            return _student(user)


def _student(user: User) -> dict:
    return {"user_id": user.id, "username": user.username, "student_no": user.student_no, "name": user.display_name}


@shops_api.route("/<shop_id>/buyer-keys")
class BuyerKeys(MethodView):
    @instructors_only
    @shops_api.response(200, BuyerKeyOut(many=True))
    def get(self, shop_id: str):
        """The shop's buyer keys (without the keys themselves)."""
        who = current_identity()
        with db().reading() as session:
            access.visible_shop(session, who, shop_id)
            access.require_instructor(who)
            return buyer_keys.listing(session, shop_id)

    @instructors_only
    @shops_api.arguments(BuyerKeyIn)
    @shops_api.response(201, BuyerKeyOut)
    def post(self, data, shop_id: str):
        """Issue a buyer key for this shop (instructors; never students): the key is in the answer, once."""
        who = current_identity()
        with db().writing() as session:
            access.visible_shop(session, who, shop_id)
            access.require_instructor(who)
            key, row = buyer_keys.issue(session, shop_id, label=data["label"], issued_by=who.user_id)
            row.key = key  # shown in this answer only
            return row


@shops_api.route("/<shop_id>/buyer-keys/<key_id>")
class BuyerKeyItem(MethodView):
    @instructors_only
    @shops_api.response(200, BuyerKeyOut)
    def delete(self, shop_id: str, key_id: str):
        """Revoke a buyer key: it stops working at once."""
        who = current_identity()
        with db().writing() as session:
            access.visible_shop(session, who, shop_id)
            access.require_instructor(who)
            return buyer_keys.revoke(session, shop_id, key_id)
