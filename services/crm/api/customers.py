"""Customer routes: the filtered list, one profile, its timeline, and exports of any list (CSV or Excel)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.crm import customer_views, exports, profiles, timeline
from services.crm.schemas import (
    CustomerListQuery,
    CustomerPageOut,
    ExportQuery,
    ProfileOut,
    TimelineOut,
    TimelineQuery,
)
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

customers_api = Blueprint("customers", __name__, description="Customer profiles built from events; lists, exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@customers_api.route("/shops/<shop_id>/customers")
class CustomerList(MethodView):
    @customers_api.arguments(CustomerListQuery, location="query")
    @customers_api.response(200, CustomerPageOut)
    def get(self, query, shop_id: str):
        """Customers filtered by tag, segment, grade, blacklist, country or text; newest buyers first."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            stmt = customer_views.filtered(shop_id, query)
            total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
            page = session.scalars(stmt.limit(query["limit"]).offset(query["offset"])).all()
            tags = customer_views.tags_by_customer(session, shop_id, [c.customer_id for c in page])
            as_of = customer_views.reference(session, ctx)
            items = [customer_views.summary(ctx, c, tags.get(c.customer_id, []), as_of) for c in page]
            return {"total": total, "items": items}


@customers_api.route("/shops/<shop_id>/exports/customers")
class CustomerExport(MethodView):
    @customers_api.arguments(ExportQuery, location="query")
    @customers_api.response(200, content_type="text/csv", description="CSV (UTF-8 with BOM) or .xlsx by `format`")
    @customers_api.alt_response(200, content_type=XLSX, description="the same list as an Excel workbook",
                                success=True)  # fmt: skip
    def get(self, query, shop_id: str):
        """The list as a file, with the same filters (a segment's list: ``?segment=at_risk``)."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            table = exports.rows(session, ctx, query)
        name = "-".join(["customers", shop_id, *(str(query[k]) for k in ("segment", "tag", "grade") if query[k])])
        if query["format"] == "xlsx":
            body, mimetype = exports.as_xlsx(table, query["segment"] or "customers"), XLSX
        else:
            body, mimetype = exports.as_csv(table), "text/csv"
        filename = f"{name}.{query['format']}".encode("ascii", "replace").decode()
        return Response(body, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip


@customers_api.route("/shops/<shop_id>/customers/<customer_id>")
class CustomerProfile(MethodView):
    @customers_api.response(200, ProfileOut)
    def get(self, shop_id: str, customer_id: str):
        """Everything beside the chat: identity, orders and money, after-sale, reviews, conversations and CSAT,
        RFM and segment, grade and LTV, tags, blacklist."""
        with db().reading() as session:
            ctx = shop_context(session, shop_id)
            return customer_views.profile(session, ctx, profiles.load_customer(session, shop_id, customer_id))


@customers_api.route("/shops/<shop_id>/customers/<customer_id>/timeline")
class CustomerTimeline(MethodView):
    @customers_api.arguments(TimelineQuery, location="query")
    @customers_api.response(200, TimelineOut(many=True))
    def get(self, query, shop_id: str, customer_id: str):
        """The customer's history across services, newest first (shop time)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            profiles.load_customer(session, shop_id, customer_id)
            return timeline.entries(session, shop_id, customer_id, limit=query["limit"], before=query["before"])
