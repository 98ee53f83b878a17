"""Refund and return routes (售后)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from services.orders import after_sale, returns
from services.orders.models import Refund, ReturnRequest
from services.orders.order_state import load_order
from services.orders.schemas.after_sale import (
    ActorIn,
    DecisionIn,
    ExchangeIn,
    ReceiveIn,
    RefundIn,
    RefundOut,
    RejectionIn,
    ReturnIn,
    ReturnOut,
    ShipBackIn,
)
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

after_sale_api = Blueprint("after_sale", __name__, description="Refunds and returns (售后)")


@after_sale_api.route("/shops/<shop_id>/orders/<order_id>/refunds")
class OrderRefunds(MethodView):
    @after_sale_api.response(200, RefundOut(many=True))
    def get(self, shop_id: str, order_id: str):
        """Every refund of the order."""
        with db().reading() as session:
            shop_context(session, shop_id)
            order = load_order(session, shop_id, order_id)
            return session.scalars(
                select(Refund)
                .where(Refund.shop_id == shop_id, Refund.order_id == order.id)
                .order_by(Refund.requested_at)
            ).all()

    @after_sale_api.arguments(RefundIn())
    @after_sale_api.response(201, RefundOut)
    def post(self, data, shop_id: str, order_id: str):
        """Ask for a refund: ``refund_only``, or ``return_and_refund`` (which opens a return); full (no amount) or
        partial; never above what was paid across all refunds of the order."""
        with db().writing() as session:
            return after_sale.request_refund(session, shop_context(session, shop_id), order_id, **data)


@after_sale_api.route("/shops/<shop_id>/orders/<order_id>/refunds/<refund_id>/approve")
class RefundApprove(MethodView):
    @after_sale_api.arguments(DecisionIn())
    @after_sale_api.response(200, RefundOut)
    def post(self, data, shop_id: str, order_id: str, refund_id: str):
        """Approve: a refund only is paid back at once; a return and refund approves the return (return address)."""
        with db().writing() as session:
            return after_sale.approve_refund(session, shop_context(session, shop_id), order_id, refund_id, **data)


@after_sale_api.route("/shops/<shop_id>/orders/<order_id>/refunds/<refund_id>/reject")
class RefundReject(MethodView):
    @after_sale_api.arguments(RejectionIn())
    @after_sale_api.response(200, RefundOut)
    def post(self, data, shop_id: str, order_id: str, refund_id: str):
        """Reject, with a note saying why."""
        with db().writing() as session:
            return after_sale.reject_refund(session, shop_context(session, shop_id), order_id, refund_id, **data)


@after_sale_api.route("/shops/<shop_id>/orders/<order_id>/returns")
class OrderReturns(MethodView):
    @after_sale_api.response(200, ReturnOut(many=True))
    def get(self, shop_id: str, order_id: str):
        """Every return of the order."""
        with db().reading() as session:
            shop_context(session, shop_id)
            order = load_order(session, shop_id, order_id)
            return session.scalars(
                select(ReturnRequest)
                .where(ReturnRequest.shop_id == shop_id, ReturnRequest.order_id == order.id)
                .order_by(ReturnRequest.requested_at)
            ).all()

    @after_sale_api.arguments(ReturnIn())
    @after_sale_api.response(201, ReturnOut)
    def post(self, data, shop_id: str, order_id: str):
        """Ask to return goods of a delivered order within the return window, for a refund or an exchange."""
        with db().writing() as session:
            return returns.request_return(session, shop_context(session, shop_id), order_id, **data)


RETURN = "/shops/<shop_id>/orders/<order_id>/returns/<return_id>"


@after_sale_api.route(f"{RETURN}/approve")
class ReturnApprove(MethodView):
    @after_sale_api.arguments(DecisionIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """Approve the return, with the address to send the goods to (default: the profile's return address)."""
        with db().writing() as session:
            return returns.approve_return(session, shop_context(session, shop_id), order_id, return_id, **data)


@after_sale_api.route(f"{RETURN}/reject")
class ReturnReject(MethodView):
    @after_sale_api.arguments(RejectionIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """Reject the return (and its refund), with a note saying why."""
        with db().writing() as session:
            return returns.reject_return(session, shop_context(session, shop_id), order_id, return_id, **data)


@after_sale_api.route(f"{RETURN}/ship-back")
class ReturnShipBack(MethodView):
    @after_sale_api.arguments(ShipBackIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """The buyer sent the goods back: carrier and tracking number (checked against the carrier's format)."""
        with db().writing() as session:
            return returns.ship_back(session, shop_context(session, shop_id), order_id, return_id, **data)


@after_sale_api.route(f"{RETURN}/receive")
class ReturnReceive(MethodView):
    @after_sale_api.arguments(ReceiveIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """The goods arrived back at the shop; note their condition."""
        with db().writing() as session:
            return returns.receive(session, shop_context(session, shop_id), order_id, return_id, **data)


@after_sale_api.route(f"{RETURN}/refund")
class ReturnRefund(MethodView):
    @after_sale_api.arguments(ActorIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """Refund a received return: its refund is completed."""
        with db().writing() as session:
            return returns.refund_return(session, shop_context(session, shop_id), order_id, return_id, **data)


@after_sale_api.route(f"{RETURN}/exchange")
class ReturnExchange(MethodView):
    @after_sale_api.arguments(ExchangeIn())
    @after_sale_api.response(200, ReturnOut)
    def post(self, data, shop_id: str, order_id: str, return_id: str):
        """Exchange a received return: a replacement parcel is shipped (``order.reshipped``)."""
        with db().writing() as session:
            return returns.exchange(session, shop_context(session, shop_id), order_id, return_id, **data)
