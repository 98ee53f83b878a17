"""The orders API's request and response bodies (marshmallow; documented in /openapi.json)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.orders.money import from_cents
from services.orders.order_state import STATES
from services.orders.payments import FAILURE_REASONS
from services.orders.refunds import KINDS, REASONS
from services.orders.reminders import OUTCOMES
from services.orders.returns import RESOLUTIONS
from services.orders.shipments import RESHIP_REASONS
from services.orders.timeline import EXCEPTION_KINDS

Money = lambda **kw: fields.Decimal(as_string=True, places=2, **kw)  # noqa: E731 - one spelling for every amount
Cents = lambda attr, **kw: fields.Function(lambda obj: str(from_cents(getattr(obj, attr))), **kw)  # noqa: E731
PositiveMoney = lambda **kw: Money(validate=validate.Range(min=0, min_inclusive=False), **kw)  # noqa: E731
Agent = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
Note = lambda **kw: fields.String(validate=validate.Length(max=2000), **kw)  # noqa: E731


# ---- catalog


class SkuOut(Schema):
    sku = fields.String()
    options = fields.Dict(metadata={"description": "option name → value, in English"})
    options_zh = fields.Dict(metadata={"description": "选项（中文）"})
    price = Cents("price_cents")
    stock = fields.Integer(metadata={"description": "units still available"})


class ProductOut(Schema):
    product_id = fields.String()
    title = fields.String()
    title_zh = fields.String()
    category = fields.String()
    selling_points = fields.List(fields.Dict(), metadata={"description": "[{en, zh}]"})
    weight_grams = fields.Integer()
    shipping_template = fields.String()
    currency = fields.String()
    skus = fields.List(fields.Nested(SkuOut))


class ProductQuery(Schema):
    category = fields.String(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "words in the English or Chinese title"})


class ShippingRuleOut(Schema):
    countries = fields.Raw(metadata={"description": "list of country codes, or '*' for every other"})
    carrier = fields.String()
    fee = fields.String(metadata={"description": "for the first kg"})
    per_kg = fields.String(metadata={"description": "for each started kg above the first"})
    days_min = fields.Integer()
    days_max = fields.Integer()


class ShippingTemplateOut(Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    rules = fields.List(fields.Nested(ShippingRuleOut))


# ---- orders


class AddressSchema(Schema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    line1 = fields.String(required=True, validate=validate.Length(min=1, max=300))
    line2 = fields.String(load_default="", validate=validate.Length(max=300))
    city = fields.String(required=True, validate=validate.Length(min=1, max=100))
    region = fields.String(load_default="", validate=validate.Length(max=100))
    postcode = fields.String(load_default="", validate=validate.Length(max=20))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. US"))


class BuyerSchema(Schema):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. US"))
    timezone = fields.String(required=True, metadata={"description": "IANA time zone, e.g. America/New_York"})
    language = fields.String(required=True, validate=validate.Length(min=2, max=16))

    @validates("timezone")
    def _known_zone(self, value: str, **_) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("unknown time zone; use an IANA name such as Asia/Shanghai")


class LineIn(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=60))
    quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=999, error="must be 1 to 999"))


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
    unit_price = Cents("unit_price_cents")


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
    items_total = Cents("items_cents")
    shipping_fee = Cents("shipping_fee_cents")
    total = Cents("total_cents")
    paid = Cents("paid_cents")
    refunded = Cents("refunded_cents")
    shipping_carrier = fields.String()
    delivery_days_min = fields.Integer()
    delivery_days_max = fields.Integer()
    placed_at = fields.AwareDateTime(metadata={"description": "shop time, as are all times below"})
    pay_by = fields.AwareDateTime()
    paid_at = fields.AwareDateTime(allow_none=True)
    payment_method = fields.String(allow_none=True)
    payment_failure = fields.String(allow_none=True, metadata={"description": "the last failed payment's reason"})
    ship_by = fields.AwareDateTime(allow_none=True, metadata={"description": "promised handling time"})
    shipped_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    reminder_count = fields.Integer()
    last_reminded_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))


class PlacedLineOut(Schema):
    sku = fields.String()
    product_id = fields.String()
    title = fields.String()
    title_zh = fields.String()
    options = fields.Dict()
    quantity = fields.Integer()
    unit_price = fields.Function(lambda line: str(from_cents(line["unit_price_cents"])))


class PlacedOrderOut(Schema):
    """The order as placed (GET the order for everything that happens to it afterwards)."""

    id = fields.String()
    order_no = fields.String()
    state = fields.String()
    customer_id = fields.String()
    address = fields.Dict()
    currency = fields.String()
    items_total = fields.Function(lambda o: str(from_cents(o["items_cents"])))
    shipping_fee = fields.Function(lambda o: str(from_cents(o["shipping_fee_cents"])))
    total = fields.Function(lambda o: str(from_cents(o["total_cents"])))
    shipping_carrier = fields.String()
    delivery_days_min = fields.Integer()
    delivery_days_max = fields.Integer()
    placed_at = fields.AwareDateTime(metadata={"description": "shop time"})
    pay_by = fields.AwareDateTime(metadata={"description": "unpaid timeout, shop time"})
    lines = fields.List(fields.Nested(PlacedLineOut))


class OrderListQuery(Schema):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    customer_id = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class OrderSummaryOut(Schema):
    id = fields.String()
    order_no = fields.String()
    state = fields.String()
    customer_id = fields.String()
    buyer_name = fields.String()
    currency = fields.String()
    total = Cents("total_cents")
    placed_at = fields.AwareDateTime()
    pay_by = fields.AwareDateTime()


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


# ---- payments


class PaymentIn(Schema):
    method = fields.String(required=True, metadata={"description": "one of the profile's payment_methods"})
    result = fields.String(load_default="succeeded", validate=validate.OneOf(["succeeded", "failed"]))
    failure_reason = fields.String(load_default=None, validate=validate.OneOf(FAILURE_REASONS))
    amount = PositiveMoney(load_default=None, metadata={"description": "if given, must equal the order's total"})


class PaymentOut(Schema):
    id = fields.String()
    method = fields.String()
    result = fields.String()
    failure_reason = fields.String(allow_none=True)
    amount = Cents("amount_cents")
    attempted_at = fields.AwareDateTime()


class PaymentResultOut(Schema):
    payment = fields.Nested(PaymentOut)
    order = fields.Nested(OrderOut)


# ---- reminders


class DueQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DueOut(Schema):
    order_id = fields.String(attribute="id")
    order_no = fields.String()
    customer_id = fields.String()
    buyer_name = fields.String()
    buyer_timezone = fields.String()
    buyer_language = fields.String()
    total = Cents("total_cents")
    currency = fields.String()
    placed_at = fields.AwareDateTime()
    pay_by = fields.AwareDateTime()
    reminder_count = fields.Integer()
    payment_failure = fields.String(allow_none=True, metadata={"description": "what the reminder should address"})


class ReminderIn(Schema):
    channel = fields.String(required=True, metadata={"description": "one of the profile's reminder channels"})
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    sent_by = Agent(required=True)
    note = Note(load_default="")


class ReminderNoteIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = Note(load_default="")
    noted_by = Agent(required=True)


class ReminderOut(Schema):
    id = fields.String()
    order_id = fields.String()
    channel = fields.String()
    text = fields.String()
    sent_by = fields.String()
    sent_at = fields.AwareDateTime()
    outcome = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    noted_by = fields.String(allow_none=True)
    noted_at = fields.AwareDateTime(allow_none=True)


# ---- shipments and tracking


class ShipmentIn(Schema):
    carrier = fields.String(required=True, metadata={"description": "one of the profile's carriers"})
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    shipped_by = Agent(required=True)


class ReshipmentIn(ShipmentIn):
    reason = fields.String(required=True, validate=validate.OneOf(RESHIP_REASONS))
    replaces_shipment_id = fields.String(load_default=None)


class ExceptionIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(EXCEPTION_KINDS))
    detail = fields.String(load_default="", validate=validate.Length(max=500))
    delay_hours = fields.Float(
        load_default=None,
        validate=validate.Range(min=0, max=24 * 60),
        metadata={"description": "for delay, customs_hold, address_problem; default: the profile's delay_hours"},
    )


class ShipmentOut(Schema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String()
    reason = fields.String(allow_none=True)
    replaces_shipment_id = fields.String(allow_none=True)
    carrier = fields.String()
    tracking_no = fields.String()
    status = fields.String()
    shipped_at = fields.AwareDateTime()
    shipped_by = fields.String(allow_none=True)
    late = fields.Boolean()
    damaged = fields.Boolean()
    first_scan_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)


class TrackingEventOut(Schema):
    kind = fields.String(metadata={"description": "checkpoint or exception"})
    status = fields.String()
    location = fields.String()
    detail = fields.String()
    occurred_at = fields.AwareDateTime()


class ParcelOut(Schema):
    shipment = fields.Nested(ShipmentOut)
    events = fields.List(fields.Nested(TrackingEventOut))
    estimated_delivery_from = fields.AwareDateTime()
    estimated_delivery_to = fields.AwareDateTime()


class TrackingOut(Schema):
    order_id = fields.String()
    order_no = fields.String()
    state = fields.String()
    shipments = fields.List(fields.Nested(ParcelOut))


# ---- refunds and returns


class RefundIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    amount = PositiveMoney(load_default=None, metadata={"description": "default: all that may still be refunded"})
    note = Note(load_default="")
    requested_by = fields.String(load_default="buyer", validate=validate.Length(min=1, max=64))


class DecisionIn(Schema):
    agent_id = Agent(required=True)
    note = Note(load_default="")
    return_address = fields.Nested(AddressSchema, load_default=None, metadata={"description": "default: profile's"})


class RejectionIn(Schema):
    agent_id = Agent(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={"description": "why"})


class RefundOut(Schema):
    id = fields.String()
    order_id = fields.String()
    kind = fields.String()
    reason = fields.String()
    amount = Cents("amount_cents")
    status = fields.String(metadata={"description": "requested | approved | rejected | completed | closed"})
    note = fields.String()
    requested_by = fields.String()
    requested_at = fields.AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    return_id = fields.String(allow_none=True)
    dispute_id = fields.String(allow_none=True)


class ReturnIn(Schema):
    resolution = fields.String(load_default="refund", validate=validate.OneOf(RESOLUTIONS))
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    amount = PositiveMoney(load_default=None, metadata={"description": "refund resolution: default all that is left"})
    note = Note(load_default="")
    requested_by = fields.String(load_default="buyer", validate=validate.Length(min=1, max=64))


class ShipBackIn(Schema):
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ReceiveIn(Schema):
    agent_id = Agent(required=True)
    note = Note(load_default="", metadata={"description": "the goods' condition"})


class ActorIn(Schema):
    agent_id = Agent(required=True)


class ExchangeIn(Schema):
    agent_id = Agent(required=True)
    carrier = fields.String(required=True)
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=40))


class ReturnOut(Schema):
    id = fields.String()
    order_id = fields.String()
    refund_id = fields.String(allow_none=True)
    resolution = fields.String()
    reason = fields.String()
    status = fields.String(
        metadata={"description": "requested | approved | shipped_back | received | refunded | exchanged | rejected"}
    )
    note = fields.String()
    requested_at = fields.AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    return_address = fields.Dict(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    shipped_back_at = fields.AwareDateTime(allow_none=True)
    received_by = fields.String(allow_none=True)
    received_at = fields.AwareDateTime(allow_none=True)
    exchange_shipment_id = fields.String(allow_none=True)


class AfterSaleOut(Schema):
    refunds = fields.List(fields.Nested(RefundOut))
    returns = fields.List(fields.Nested(ReturnOut))


# ---- metrics


class MetricsQuery(Schema):
    from_ = fields.AwareDateTime(required=True, data_key="from", metadata={"description": "shop time, inclusive"})
    to = fields.AwareDateTime(required=True, metadata={"description": "shop time, exclusive"})
    agent = fields.String(load_default=None, metadata={"description": "only what this agent did"})

    @validates_schema
    def _forwards(self, data, **_) -> None:
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must be after 'from'", "to")
