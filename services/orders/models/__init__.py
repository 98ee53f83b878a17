"""The orders service's tables. Every row carries its shop_id; money is kept in integer cents (``*_cents``: exact on
every backend, and summed by the database without rounding). Every time column names its clock: ``*_at`` is the
shop's simulated clock (the business calendar), ``*_wall_at`` the wall clock.

One module per part of the service: the catalog, orders with what happens before they ship, logistics, after-sale.
"""

from services.orders.models.after_sale import Refund, ReturnRequest
from services.orders.models.base import Base, new_id
from services.orders.models.catalog import Product, ShippingTemplate, Sku
from services.orders.models.logistics import Shipment, TrackingEvent
from services.orders.models.orders import AddressChange, Order, OrderLine, Payment, Reminder

__all__ = [
    "AddressChange",
    "Base",
    "Order",
    "OrderLine",
    "Payment",
    "Product",
    "Refund",
    "Reminder",
    "ReturnRequest",
    "Shipment",
    "ShippingTemplate",
    "Sku",
    "TrackingEvent",
    "new_id",
]
