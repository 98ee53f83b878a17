"""Events the orders service publishes. Other services read these; add fields freely, rename or remove none."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates

from shoplab.contracts.contract import Contract, contracts
from shoplab.contracts.money import Money

# why a payment attempt failed (the orders API refuses others; an instructor may inject any of them)
PAYMENT_FAILURE_REASONS = (
    "declined",
    "insufficient_funds",
    "3ds_timeout",
    "card_expired",
    "risk_review",
    "network_error",
)


class BuyerSchema(Schema):
    """The buyer of an order, as the orders API takes it and as ``order.placed`` carries it (one definition)."""

    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. US"))
    timezone = fields.String(required=True, metadata={"description": "IANA time zone, e.g. America/New_York"})
    language = fields.String(required=True, validate=validate.Length(min=2, max=16))

    @validates("timezone")
    def _known_zone(self, value: str, **_) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder of the database, too long
            raise ValidationError("unknown time zone; use an IANA name such as Asia/Shanghai") from exc


class OrderRef(Schema):
    """What every order event carries, so a consumer can link it to its order and customer."""

    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    customer_id = fields.String(required=True)


class LineSchema(Schema):
    sku = fields.String(required=True)
    product_id = fields.String(required=True)
    title = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    unit_price = Money(required=True)


class OrderPlaced(OrderRef):
    buyer = fields.Nested(BuyerSchema, required=True)
    lines = fields.List(fields.Nested(LineSchema), required=True)
    shipping_fee = Money(required=True)
    total = Money(required=True)
    currency = fields.String(required=True)
    placed_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    pay_by = fields.AwareDateTime(required=True, metadata={"description": "unpaid timeout, shop time"})


class OrderPaid(OrderRef):
    amount = Money(required=True)
    currency = fields.String(required=True)
    method = fields.String(required=True)
    paid_at = fields.AwareDateTime(required=True)
    reminded = fields.Boolean(load_default=False, metadata={"description": "a payment reminder was sent before"})


class PaymentFailed(OrderRef):
    amount = Money(required=True)
    method = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "declined, insufficient_funds, 3ds_timeout, ..."})
    failed_at = fields.AwareDateTime(required=True)


class OrderCancelled(OrderRef):
    reason = fields.String(required=True, metadata={"description": "buyer, seller or unpaid_timeout"})
    cancelled_at = fields.AwareDateTime(required=True)
    by = fields.String(load_default=None, allow_none=True)


class ReminderDue(OrderRef):
    """An unpaid order may now be reminded (催付): the service queue opens a payment-reminder task."""

    amount = Money(required=True)
    currency = fields.String(required=True)
    pay_by = fields.AwareDateTime(required=True)
    failure_reason = fields.String(load_default=None, allow_none=True)


class ReminderSent(OrderRef):
    reminder_id = fields.String(required=True)
    channel = fields.String(required=True)
    sent_by = fields.String(required=True, metadata={"description": "agent id"})
    note = fields.String(load_default="", allow_none=True)
    sent_at = fields.AwareDateTime(required=True)


class OrderShipped(OrderRef):
    shipment_id = fields.String(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True)
    shipped_at = fields.AwareDateTime(required=True)
    late = fields.Boolean(load_default=False)
    shipped_by = fields.String(load_default=None, allow_none=True, metadata={"description": "agent id"})
    ship_by = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"description": "promised, shop time"})


class ShipmentCheckpoint(OrderRef):
    shipment_id = fields.String(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True)
    status = fields.String(required=True)
    location = fields.String(load_default="", allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class ShipmentException(OrderRef):
    shipment_id = fields.String(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True)
    kind = fields.String(
        required=True,
        metadata={"description": "delay, customs_hold, lost, damaged, address_problem, returned_to_sender"},
    )
    detail = fields.String(load_default="", allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class OrderDelivered(OrderRef):
    shipment_id = fields.String(required=True)
    delivered_at = fields.AwareDateTime(required=True)


class RefundEvent(OrderRef):
    refund_id = fields.String(required=True)
    amount = Money(required=True)
    currency = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "not_received, not_as_described, damaged, ..."})
    kind = fields.String(required=True, metadata={"description": "refund_only or return_and_refund"})
    by = fields.String(load_default=None, allow_none=True, metadata={"description": "agent id, or dispute id"})
    note = fields.String(load_default="", allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class ReturnEvent(OrderRef):
    return_id = fields.String(required=True)
    refund_id = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True)
    tracking_no = fields.String(load_default=None, allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)
    resolution = fields.String(load_default=None, allow_none=True, metadata={"description": "refund or exchange"})
    reason = fields.String(load_default=None, allow_none=True)
    carrier = fields.String(load_default=None, allow_none=True)
    by = fields.String(load_default=None, allow_none=True, metadata={"description": "agent id, when an agent acted"})
    note = fields.String(load_default="", allow_none=True)


class ReminderNoted(OrderRef):
    """The result note (备注) of a payment reminder: why the buyer did not pay, and what came of it."""

    reminder_id = fields.String(required=True)
    outcome = fields.String(required=True)
    note = fields.String(load_default="", allow_none=True)
    noted_by = fields.String(required=True)
    noted_at = fields.AwareDateTime(required=True)


class OrderCompleted(OrderRef):
    completed_at = fields.AwareDateTime(required=True)
    by = fields.String(required=True, metadata={"description": "buyer (confirmed receipt) or auto (after the window)"})


class AddressChanged(OrderRef):
    address = fields.Dict(required=True, metadata={"description": "the new shipping address"})
    changed_by = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)


class OrderReshipped(OrderRef):
    shipment_id = fields.String(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "lost, damaged, returned_to_sender, exchange, ..."})
    replaces_shipment_id = fields.String(load_default=None, allow_none=True)
    shipped_by = fields.String(load_default=None, allow_none=True)
    shipped_at = fields.AwareDateTime(required=True)


CONTRACTS = contracts(
    Contract("order.placed", OrderPlaced, description="a buyer placed an order; stock is reserved"),
    Contract("order.paid", OrderPaid, description="the buyer paid"),
    Contract("order.payment_failed", PaymentFailed, description="a payment attempt failed, with its reason"),
    Contract("order.cancelled", OrderCancelled, description="cancelled by buyer, seller or the unpaid timeout"),
    Contract("payment.reminder_due", ReminderDue, description="an unpaid order may now be reminded"),
    Contract("payment.reminder_sent", ReminderSent, description="an agent sent a payment reminder"),
    Contract("order.shipped", OrderShipped, description="the order left with a carrier and tracking number"),
    Contract("shipment.checkpoint", ShipmentCheckpoint, description="a tracking checkpoint"),
    Contract("shipment.exception", ShipmentException, description="delay, customs hold, lost, damaged, ..."),
    Contract("order.delivered", OrderDelivered, description="the parcel was delivered"),
    Contract("refund.requested", RefundEvent, description="the buyer asked for a refund (with or without return)"),
    Contract("refund.approved", RefundEvent, description="an agent approved a refund"),
    Contract("refund.rejected", RefundEvent, description="an agent rejected a refund, with a note"),
    Contract("refund.completed", RefundEvent, description="money went back to the buyer"),
    Contract("return.requested", ReturnEvent, description="the buyer asked to return goods"),
    Contract("return.approved", ReturnEvent, description="the return was approved with a return address"),
    Contract("return.shipped", ReturnEvent, description="the buyer shipped the goods back"),
    Contract("return.received", ReturnEvent, description="the shop received the returned goods"),
    Contract("return.rejected", ReturnEvent, description="an agent rejected a return, with a note"),
    Contract("return.refunded", ReturnEvent, description="the returned goods were refunded"),
    Contract("return.exchanged", ReturnEvent, description="the returned goods were exchanged with a reshipment"),
    Contract("payment.reminder_noted", ReminderNoted, description="an agent noted a reminder's result (备注)"),
    Contract("order.completed", OrderCompleted, description="the buyer confirmed receipt, or the window passed"),
    Contract("order.address_changed", AddressChanged, description="the shipping address changed before shipping"),
    Contract("order.reshipped", OrderReshipped, description="a replacement parcel left (lost, damaged, exchange)"),
)
