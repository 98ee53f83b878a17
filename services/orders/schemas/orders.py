"""Order bodies: placing, reading and listing orders, cancelling, address changes, payments."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.orders.order_state import STATES
from services.orders.payments import FAILURE_REASONS
from services.orders.schemas.actors import Agent, Note
from shoplab.contracts.bounded import Integer
from shoplab.contracts.money import Money
from shoplab.contracts.orders import BuyerSchema


class AddressSchema(Schema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    line1 = fields.String(required=True, validate=validate.Length(min=1, max=300))
    line2 = fields.String(load_default="", validate=validate.Length(max=300))
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    region = fields.String(load_default="", validate=validate.Length(max=100))
    postcode = fields.String(load_default="", validate=validate.Length(max=20))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. US"))


class LineIn(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=60))
    quantity = Integer(required=True, minimum=1, maximum=999)


class OrderIn(Schema):
    buyer = fields.Nested(BuyerSchema, required=True)
    address = fields.Nested(AddressSchema, required=True)
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=1, max=50))
    shipping_carrier = fields.String(load_default=None, metadata={"description": "default: the first one offered"})


class LineOut(Schema):
    sku = fields.String()
    product_id = fields.String()
    title = fields.String()
    title_zh = fields.String()
    options = fields.Dict()
    quantity = fields.Integer()
    unit_price = Money(attribute="unit_price_cents")


class OrderOut(Schema):
    id = fields.String()
    order_no = fields.String()
    state = fields.String(metadata={"description": " | ".join(STATES)})
    customer_id = fields.String()
    buyer = fields.Function(
        lambda o: {
            "customer_id": o.customer_id,
            "name": o.buyer_name,
            "country": o.buyer_country,
            "timezone": o.buyer_timezone,
            "language": o.buyer_language,
        }
    )
    address = fields.Dict()
    currency = fields.String()
    items_total = Money(attribute="items_cents")
    shipping_fee = Money(attribute="shipping_fee_cents")
    total = Money(attribute="total_cents")
    paid = Money(attribute="paid_cents")
    refunded = Money(attribute="refunded_cents")
    shipping_carrier = fields.String()
    delivery_days_min = fields.Integer()
    delivery_days_max = fields.Integer()
    placed_at = fields.AwareDateTime(metadata={"description": "shop time, as are all times below"})
    pay_by = fields.AwareDateTime(attribute="pay_due_at")
    paid_at = fields.AwareDateTime(allow_none=True)
    payment_method = fields.String(allow_none=True)
    payment_failure = fields.String(allow_none=True, metadata={"description": "the last failed payment's reason"})
    ship_by = fields.AwareDateTime(
        attribute="ship_due_at", allow_none=True, metadata={"description": "promised handling time"}
    )
    shipped_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    reminder_count = fields.Integer()
    last_reminded_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))


class PlacedOrderOut(Schema):
    """The order as placed (GET the order for everything that happens to it afterwards)."""

    id = fields.String()
    order_no = fields.String()
    state = fields.String()
    customer_id = fields.String()
    address = fields.Dict()
    currency = fields.String()
    items_total = Money(attribute="items_cents")
    shipping_fee = Money(attribute="shipping_fee_cents")
    total = Money(attribute="total_cents")
    shipping_carrier = fields.String()
    delivery_days_min = fields.Integer()
    delivery_days_max = fields.Integer()
    placed_at = fields.AwareDateTime(metadata={"description": "shop time"})
    pay_by = fields.AwareDateTime(attribute="pay_due_at", metadata={"description": "unpaid timeout, shop time"})
    lines = fields.List(fields.Nested(LineOut))


class OrderListQuery(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    customer_id = fields.String(load_default=None)
    limit = Integer(load_default=50, minimum=1, maximum=500)


class OrderSummaryOut(Schema):
    id = fields.String()
    order_no = fields.String()
    state = fields.String()
    customer_id = fields.String()
    buyer_name = fields.String()
    currency = fields.String()
    total = Money(attribute="total_cents")
    placed_at = fields.AwareDateTime()
    pay_by = fields.AwareDateTime(attribute="pay_due_at")


class CancelIn(Schema):
    by = fields.String(required=True, validate=validate.OneOf(["buyer", "seller"]))
    agent_id = Agent(load_default=None, metadata={"description": "the agent, when the seller cancels"})
    note = Note(load_default="")

    @validates_schema
    def _seller_names_agent(self, data, **_) -> None:
        if data["by"] == "seller" and not data.get("agent_id"):
            raise ValidationError("required when the seller cancels", "agent_id")


class AddressChangeIn(Schema):
    address = fields.Nested(AddressSchema, required=True)
    changed_by = Agent(required=True, metadata={"description": "agent id, or 'buyer'"})


class PaymentIn(Schema):
    method = fields.String(required=True, metadata={"description": "one of the profile's payment_methods"})
    result = fields.String(load_default="succeeded", validate=validate.OneOf(["succeeded", "failed"]))
    failure_reason = fields.String(load_default=None, validate=validate.OneOf(FAILURE_REASONS))
    amount_cents = Money(
        data_key="amount", positive=True, load_default=None, metadata={"description": "if given, the order's total"}
    )


class PaymentOut(Schema):
    id = fields.String()
    method = fields.String()
    result = fields.String()
    failure_reason = fields.String(allow_none=True)
    amount = Money(attribute="amount_cents")
    attempted_at = fields.AwareDateTime()


class PaymentResultOut(Schema):
    payment = fields.Nested(PaymentOut)
    order = fields.Nested(OrderOut)
