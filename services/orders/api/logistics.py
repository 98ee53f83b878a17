"""Shipping and tracking routes: ship, reship, raise a tracking exception, read the tracking."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.orders import shipments, tracking
from services.orders.schemas.logistics import (
    ExceptionIn,
    ReshipmentIn,
    ShipmentIn,
    ShipmentOut,
    TrackingEventOut,
    TrackingOut,
)
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

logistics_api = Blueprint("logistics", __name__, description="Shipments, tracking timelines and exceptions")


@logistics_api.route("/shops/<shop_id>/orders/<order_id>/shipments")
class OrderShipments(MethodView):
    @logistics_api.arguments(ShipmentIn())
    @logistics_api.response(201, ShipmentOut)
    def post(self, data, shop_id: str, order_id: str):
        """Ship a paid order with one of the shop's carriers and a tracking number in that carrier's format; its
        tracking timeline then unfolds on the shop's clock. Shipping after ``ship_by`` counts as late."""
        with db().writing() as session:
            return shipments.ship_order(session, shop_context(session, shop_id), order_id, **data)


@logistics_api.route("/shops/<shop_id>/orders/<order_id>/reshipments")
class OrderReshipments(MethodView):
    @logistics_api.arguments(ReshipmentIn())
    @logistics_api.response(201, ShipmentOut)
    def post(self, data, shop_id: str, order_id: str):
        """Send a replacement parcel (lost, damaged, returned to sender, wrong item ...)."""
        with db().writing() as session:
            return shipments.reship(session, shop_context(session, shop_id), order_id, **data)


@logistics_api.route("/shops/<shop_id>/orders/<order_id>/shipments/<shipment_id>/exceptions")
class ShipmentExceptions(MethodView):
    @logistics_api.arguments(ExceptionIn())
    @logistics_api.response(201, TrackingEventOut)
    def post(self, data, shop_id: str, order_id: str, shipment_id: str):
        """Raise a tracking exception now: delay, customs_hold or address_problem push the rest of the timeline
        back; lost and returned_to_sender end it; damaged marks the parcel."""
        with db().writing() as session:
            return tracking.raise_exception(session, shop_context(session, shop_id), order_id, shipment_id, **data)


@logistics_api.route("/shops/<shop_id>/orders/<order_id>/tracking")
class OrderTracking(MethodView):
    @logistics_api.response(200, TrackingOut)
    def get(self, shop_id: str, order_id: str):
        """Every parcel of the order and the tracking steps that have happened so far (查件)."""
        with db().reading() as session:
            return tracking.tracking_of(session, shop_context(session, shop_id), order_id)
