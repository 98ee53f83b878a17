"""Care tasks as crm announced them, and the rules a shop's customer management plays by (profile data)."""

from __future__ import annotations

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.crm.crm_profile import crm_settings, rule_as_data
from services.crm.models import CareTask
from services.crm.schemas import CareTaskOut, CareTaskQuery
from shoplab.contracts.money import wire
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

care_api = Blueprint("care", __name__, description="Care tasks (greetings, follow-ups, win-backs) and CRM rules")


@care_api.route("/shops/<shop_id>/care-tasks")
class CareTasks(MethodView):
    @care_api.arguments(CareTaskQuery, location="query")
    @care_api.response(200, CareTaskOut(many=True))
    def get(self, query, shop_id: str):
        """Care tasks announced to the queue, newest first, by kind or customer."""
        with db().reading() as session:
            shop_context(session, shop_id)
            stmt = select(CareTask).where(CareTask.shop_id == shop_id)
            if query["kind"]:
                stmt = stmt.where(CareTask.kind == query["kind"])
            if query["customer_id"]:
                stmt = stmt.where(CareTask.customer_id == query["customer_id"])
            stmt = stmt.order_by(CareTask.due_at.desc(), CareTask.id).limit(query["limit"]).offset(query["offset"])
            return session.scalars(stmt).all()


@care_api.route("/shops/<shop_id>/crm-rules")
class CrmRules(MethodView):
    @care_api.response(200)
    def get(self, shop_id: str):
        """Grades and their thresholds, tag rules, LTV parameters and care settings with their templates."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
        settings = crm_settings(ctx.profile)
        levels = [{**asdict(level), "min_spent": wire(level.min_spent_cents)} for level in settings.grade_levels]
        for level in levels:
            del level["min_spent_cents"]
        return {
            "currency": ctx.currency,
            "grades": {"require": "all" if settings.grades_require_all else "any", "levels": levels},
            "ltv": {
                "lifespan_years": settings.ltv_lifespan_years,
                "min_age_days": settings.ltv_min_age_days,
                "formula": "spent × 365 / max(age days, min_age_days) × lifespan_years",
            },  # fmt: skip
            "tag_rules": [rule_as_data(rule) for rule in settings.tag_rules],
            "care": settings.care,
        }
