"""The gateway's public API: sign-in and the shop registry with its clocks."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from gateway import accounts, shops
from gateway.models import Shop, ShopMember
from gateway.schemas import ClockIn, LoginIn, LoginOut, ShopIn, ShopOut
from gateway.web_auth import current_identity, tokens

auth_api = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in")
shops_api = Blueprint("shops", __name__, url_prefix="/api/v1/shops", description="Shops and their clocks")


def _db():
    return current_app.extensions["shoplab"].db


@auth_api.route("/login")
class Login(MethodView):
    @auth_api.arguments(LoginIn)
    @auth_api.response(200, LoginOut)
    def post(self, data):
        """Sign in with a username and password; returns a bearer token."""
        with _db().reading() as session:
            user = accounts.authenticate(session, data["username"], data["password"])
            return {"token": tokens().issue(user), "user": user}


@shops_api.route("")
class ShopList(MethodView):
    @shops_api.response(200, ShopOut(many=True))
    def get(self):
        """The shops you may see: an instructor's class shops, or the shops a student sits in."""
        who = current_identity()
        stmt = select(Shop).order_by(Shop.created_at)
        if who.is_instructor:
            stmt = stmt.where((Shop.class_id == who.class_id) | (Shop.created_by == who.user_id))
        else:
            stmt = stmt.join(ShopMember, ShopMember.shop_id == Shop.id).where(ShopMember.user_id == who.user_id)
        with _db().reading() as session:
            return session.scalars(stmt).all()

    @shops_api.arguments(ShopIn)
    @shops_api.response(201, ShopOut)
    def post(self, data):
        """Open a shop on a platform profile (instructors only); every service hears of it by ``shop.opened``."""
        who = current_identity()
        accounts.require_instructor(who)
        with _db().writing() as session:
            return shops.open_shop(
                session,
                name=data["name"],
                platform=data["platform"],
                class_id=data["class_id"] or who.class_id,
                created_by=who.user_id,
                speed=data["speed"],
            )


@shops_api.route("/<shop_id>")
class ShopItem(MethodView):
    @shops_api.response(200, ShopOut)
    def get(self, shop_id: str):
        """One shop and its clock."""
        with _db().reading() as session:
            return accounts.visible_shop(session, current_identity(), shop_id)


@shops_api.route("/<shop_id>/clock")
class ShopClockView(MethodView):
    @shops_api.arguments(ClockIn)
    @shops_api.response(200, ShopOut)
    def post(self, data, shop_id: str):
        """Start, pause, speed up or jump the shop's simulated clock (instructors only)."""
        who = current_identity()
        accounts.require_instructor(who)
        with _db().writing() as session:
            accounts.visible_shop(session, who, shop_id)
            return shops.change_clock(
                session,
                shop_id,
                speed=data.get("speed"),
                paused=data.get("paused"),
                advance_seconds=data["advance_seconds"],
            )
