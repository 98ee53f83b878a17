"""What students do to a customer: tags (add, remove, history) and the blacklist (add with a reason, lift)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.crm import blacklist, profiles, tagging
from services.crm.crm_profile import crm_settings, rule_as_data
from services.crm.models import BlacklistEntry, Tag
from services.crm.schemas import BlacklistIn, BlacklistOut, LiftIn, TagIn, TagOut, TagRemoveIn, TagsOut
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

marking_api = Blueprint("marking", __name__, description="Tags (manual and automatic) and the blacklist")


@marking_api.route("/shops/<shop_id>/customers/<customer_id>/tags")
class CustomerTags(MethodView):
    @marking_api.response(200, TagsOut)
    def get(self, shop_id: str, customer_id: str):
        """The customer's tags now, and every tag they ever had (who and when, on both clocks)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            profiles.load_customer(session, shop_id, customer_id)
            return {
                "current": tagging.current_tags(session, shop_id, customer_id),
                "history": tagging.history(session, shop_id, customer_id),
            }

    @marking_api.arguments(TagIn)
    @marking_api.response(201, TagOut)
    def post(self, data, shop_id: str, customer_id: str):
        """Tag the customer (打标); 409 when the tag is on already, 422 for an automatic rule's tag name."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            customer = profiles.load_customer(session, shop_id, customer_id)
            rule_tags = crm_settings(ctx.profile).rule_tags
            return tagging.add_manual(session, ctx, customer, data["tag"], data["agent_id"], data["note"], rule_tags)


@marking_api.route("/shops/<shop_id>/customers/<customer_id>/tags/remove")
class CustomerTagRemoval(MethodView):
    @marking_api.arguments(TagRemoveIn)
    @marking_api.response(200, TagOut)
    def post(self, data, shop_id: str, customer_id: str):
        """Take a manual tag off (kept in the history); 404 when not on, 409 for an automatic tag."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            customer = profiles.load_customer(session, shop_id, customer_id)
            return tagging.remove_manual(session, ctx, customer, data["tag"], data["agent_id"])


@marking_api.route("/shops/<shop_id>/tags")
class ShopTags(MethodView):
    @marking_api.response(200)
    def get(self, shop_id: str):
        """Tags in use in the shop with their customer counts, and the automatic rules (the profile's data)."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            counts = dict(
                session.execute(
                    select(Tag.tag, func.count())
                    .where(Tag.shop_id == shop_id, Tag.removed_at.is_(None))
                    .group_by(Tag.tag)
                ).all()
            )
        return {"in_use": counts, "rules": [rule_as_data(rule) for rule in crm_settings(ctx.profile).tag_rules]}


@marking_api.route("/shops/<shop_id>/customers/<customer_id>/blacklist")
class CustomerBlacklist(MethodView):
    @marking_api.arguments(BlacklistIn)
    @marking_api.response(201, BlacklistOut)
    def post(self, data, shop_id: str, customer_id: str):
        """Blacklist the buyer with a reason; their new orders are flagged to the students. 409 if already."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            customer = profiles.load_customer(session, shop_id, customer_id)
            return blacklist.add(session, ctx, customer, data["reason"].strip(), data["agent_id"])


@marking_api.route("/shops/<shop_id>/customers/<customer_id>/blacklist/lift")
class CustomerBlacklistLift(MethodView):
    @marking_api.arguments(LiftIn)
    @marking_api.response(200, BlacklistOut)
    def post(self, data, shop_id: str, customer_id: str):
        """Take the buyer off the blacklist (kept in the history); 409 when not blacklisted."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            customer = profiles.load_customer(session, shop_id, customer_id)
            return blacklist.lift(session, ctx, customer, data["note"], data["agent_id"])


@marking_api.route("/shops/<shop_id>/blacklist")
class ShopBlacklist(MethodView):
    @marking_api.response(200, BlacklistOut(many=True))
    def get(self, shop_id: str):
        """Every blacklist entry of the shop, current ones first, newest first."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return session.scalars(
                select(BlacklistEntry)
                .where(BlacklistEntry.shop_id == shop_id)
                .order_by(BlacklistEntry.lifted_at.is_not(None), BlacklistEntry.id.desc())
            ).all()
