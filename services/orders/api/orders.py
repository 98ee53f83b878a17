"""Order routes: place, read, list, cancel, change the address, confirm receipt, and pay."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.orders import ordering, payments
from services.orders.models import Order, Payment
from services.orders.order_state import load_order
from services.orders.order_writer import WRITER, OrderWriter
from services.orders.placing import OrderRequest
from services.orders.schemas.orders import (
    AddressChangeIn,
    CancelIn,
    OrderIn,
    OrderListQuery,
    OrderOut,
    OrderSummaryOut,
    PaymentIn,
    PaymentOut,
    PaymentResultOut,
    PlacedOrderOut,
)
from shoplab.plumbing.web import current_runtime, db
from shoplab.shops.context import shop_context

orders_api = Blueprint("orders", __name__, description="Orders and their state machine; payments")


def order_writer() -> OrderWriter:
    """The web process's order writer (set up by the app factory)."""
    return current_runtime().parts[WRITER]


@orders_api.route("/shops/<shop_id>/orders")
class OrderList(MethodView):
    @orders_api.arguments(OrderListQuery(), location="query")
    @orders_api.response(200, OrderSummaryOut(many=True))
    def get(self, query, shop_id: str):
        """The shop's latest orders, optionally of one state or one customer."""
        with db().reading() as session:
            shop_context(session, shop_id)
            stmt = select(Order).where(Order.shop_id == shop_id)
            if query["state"]:
                stmt = stmt.where(Order.state == query["state"])
            if query["customer_id"]:
                stmt = stmt.where(Order.customer_id == query["customer_id"])
            return session.scalars(stmt.order_by(Order.placed_at.desc()).limit(query["limit"])).all()

    @orders_api.arguments(OrderIn())
    @orders_api.response(201, PlacedOrderOut)
    def post(self, data, shop_id: str):
        """Place an order: the stock of every line is reserved, all or nothing; it waits unpaid until ``pay_by``."""
        draft = order_writer().place(OrderRequest(shop_id=shop_id, **data))
        return {**draft.order, "lines": draft.lines}


@orders_api.route("/shops/<shop_id>/orders/<order_id>")
class OrderItem(MethodView):
    @orders_api.response(200, OrderOut)
    def get(self, shop_id: str, order_id: str):
        """One order with its lines, state and times (shop time)."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return load_order(session, shop_id, order_id)


@orders_api.route("/shops/<shop_id>/orders/<order_id>/cancel")
class OrderCancel(MethodView):
    @orders_api.arguments(CancelIn())
    @orders_api.response(200, OrderOut)
    def post(self, data, shop_id: str, order_id: str):
        """Cancel before shipping, by the buyer or the seller; stock goes back, a paid order is refunded in full."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return ordering.cancel_order(
                session, ctx, order_id, by=data["by"], agent_id=data["agent_id"], note=data["note"]
            )


@orders_api.route("/shops/<shop_id>/orders/<order_id>/address")
class OrderAddress(MethodView):
    @orders_api.arguments(AddressChangeIn())
    @orders_api.response(200, OrderOut)
    def post(self, data, shop_id: str, order_id: str):
        """Change the shipping address before the order ships (same destination country)."""
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return ordering.change_address(
                session, ctx, order_id, address=data["address"], changed_by=data["changed_by"]
            )


@orders_api.route("/shops/<shop_id>/orders/<order_id>/confirm-receipt")
class OrderConfirm(MethodView):
    @orders_api.response(200, OrderOut)
    def post(self, shop_id: str, order_id: str):
        """The buyer confirms receipt of a delivered order: it is completed (确认收货)."""
        with db().writing() as session:
            return ordering.confirm_receipt(session, shop_context(session, shop_id), order_id)


@orders_api.route("/shops/<shop_id>/orders/<order_id>/payments")
class OrderPayments(MethodView):
    @orders_api.response(200, PaymentOut(many=True))
    def get(self, shop_id: str, order_id: str):
        """Every payment attempt of the order, failed ones with their reason."""
        with db().reading() as session:
            shop_context(session, shop_id)
            order = load_order(session, shop_id, order_id)
            return session.scalars(
                select(Payment)
                .where(Payment.shop_id == shop_id, Payment.order_id == order.id)
                .order_by(Payment.attempted_at)
            ).all()

    @orders_api.arguments(PaymentIn())
    @orders_api.response(201, PaymentResultOut)
    def post(self, data, shop_id: str, order_id: str):
        """A payment attempt. ``result: failed`` with a ``failure_reason`` records a failure the order keeps (what
        a reminder has to address); a success pays the order and starts its handling time."""
        with db().writing() as session:
            order, payment = payments.attempt_payment(
                session,
                shop_context(session, shop_id),
                order_id,
                method=data["method"],
                succeeded=data["result"] == "succeeded",
                failure_reason=data["failure_reason"],
                amount_cents=data["amount_cents"],
            )
            return {"payment": payment, "order": order}
