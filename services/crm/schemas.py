"""The crm API's request and response bodies (marshmallow; documented in /openapi.json).

Money leaves as a two-place string (the shared ``Money`` field, from integer minor units); times are ISO 8601
with their offset, ``*_at`` on the shop's clock and ``*_wall_at`` on the wall clock.
"""

from __future__ import annotations

import re

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.crm.customer_views import SORTS
from services.crm.rfm import segments
from shoplab.contracts.bounded import DateTime, Flag, Integer, Period
from shoplab.contracts.crm import CARE_KINDS
from shoplab.contracts.money import MAX_MINOR, Money

Agent = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731
Amount = lambda **kw: Money(minimum=-MAX_MINOR, **kw)  # noqa: E731 - outputs: net amounts may be negative
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("no control characters")


class TagName(fields.String):
    """A tag: 1-32 characters, any language, no control characters; spaces around it are dropped."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not 1 <= len(text) <= 32:
            raise ValidationError("1-32 characters")
        _printable(text)
        return text


class Page(Schema):
    limit = Integer(load_default=50, minimum=1, maximum=500)
    offset = Integer(load_default=0, maximum=10_000_000)


class CustomerFilter(Schema):
    tag = TagName(load_default=None)
    segment = fields.String(load_default=None, validate=validate.OneOf([s.code for s in segments()]))
    grade = fields.String(load_default=None, validate=validate.Length(min=1, max=16))
    country = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    blacklisted = fields.Boolean(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                      metadata={"description": "part of the customer id or name"})  # fmt: skip
    sort = fields.String(load_default="last_purchase", validate=validate.OneOf(sorted(SORTS)))


class CustomerListQuery(CustomerFilter, Page):
    pass


class ExportQuery(CustomerFilter):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class TagRef(Schema):
    tag = fields.String()
    source = fields.String(metadata={"description": "manual or rule"})


class RfmOut(Schema):
    recency_days = fields.Integer(allow_none=True)
    frequency = fields.Integer()
    monetary = Amount()
    r = fields.Integer(allow_none=True)
    f = fields.Integer(allow_none=True)
    m = fields.Integer(allow_none=True)
    score = fields.String(allow_none=True, metadata={"description": "R, F and M digits, e.g. 545"})
    segment = fields.String(allow_none=True)
    as_of = fields.AwareDateTime(metadata={"description": "the reference moment (shop time)"})


class CustomerSummaryOut(Schema):
    customer_id = fields.String()
    name = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    segment = fields.String(allow_none=True)
    rfm = fields.Nested(RfmOut)
    purchases = fields.Integer(metadata={"description": "paid orders and imported transactions (RFM frequency)"})
    spent = Amount(metadata={"description": "net of refunds, live and imported (RFM monetary)"})
    last_purchase_at = fields.AwareDateTime(allow_none=True)
    ltv = Amount(allow_none=True, metadata={"description": "lifetime value estimate (docs/crm.md)"})
    blacklisted = fields.Boolean()
    tags = fields.List(fields.Nested(TagRef))


class CustomerPageOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(CustomerSummaryOut))


class TagOut(Schema):
    tag = fields.String()
    source = fields.String()
    note = fields.String()
    added_by = fields.String()
    added_at = fields.AwareDateTime()
    added_wall_at = fields.AwareDateTime()
    removed_by = fields.String(allow_none=True)
    removed_at = fields.AwareDateTime(allow_none=True)
    removed_wall_at = fields.AwareDateTime(allow_none=True)


class BlacklistOut(Schema):
    customer_id = fields.String()
    reason = fields.String()
    added_by = fields.String()
    added_at = fields.AwareDateTime()
    added_wall_at = fields.AwareDateTime()
    lifted_by = fields.String(allow_none=True)
    lift_note = fields.String(allow_none=True)
    lifted_at = fields.AwareDateTime(allow_none=True)
    lifted_wall_at = fields.AwareDateTime(allow_none=True)


class NextCareOut(Schema):
    greeting_due_at = fields.AwareDateTime(allow_none=True, metadata={"description": "next holiday greeting"})
    win_back_due_at = fields.AwareDateTime(allow_none=True, metadata={"description": "win-back if no purchase"})


class ProfileOut(CustomerSummaryOut):
    tags = fields.List(fields.Nested(TagOut))
    first_order_at = fields.AwareDateTime(allow_none=True)
    last_order_at = fields.AwareDateTime(allow_none=True)
    first_purchase_at = fields.AwareDateTime(allow_none=True)
    orders = fields.Integer(metadata={"description": "orders placed (live)"})
    paid_orders = fields.Integer()
    paid_amount = Amount()
    refunded_amount = Amount()
    refunded_orders = fields.Integer()
    returns = fields.Integer()
    disputes = fields.Integer()
    disputes_lost = fields.Integer(metadata={"description": "ruled for the buyer (or split)"})
    reviews = fields.Integer()
    average_stars = fields.Float(allow_none=True)
    negative_reviews = fields.Integer()
    conversations = fields.Integer()
    csat_ratings = fields.Integer()
    csat_average = fields.Float(allow_none=True)
    imported_purchases = fields.Integer()
    imported_amount = Amount()
    segment_info = fields.Dict(allow_none=True)
    grade_info = fields.Dict(allow_none=True)
    blacklist = fields.Nested(BlacklistOut, allow_none=True)
    next_care = fields.Nested(NextCareOut)


class TimelineQuery(Schema):
    limit = Integer(load_default=50, minimum=1, maximum=500)
    before = DateTime(load_default=None, metadata={"description": "shop time: page back from here"})


class TimelineOut(Schema):
    kind = fields.String(metadata={"description": "the event type"})
    at = fields.AwareDateTime()
    wall_at = fields.AwareDateTime()
    ref = fields.String(allow_none=True)
    data = fields.Dict()


class TagsOut(Schema):
    current = fields.List(fields.Nested(TagOut))
    history = fields.List(fields.Nested(TagOut))


class TagIn(Schema):
    tag = TagName(required=True)
    agent_id = Agent(required=True, metadata={"description": "set by the gateway from the session"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


class TagRemoveIn(Schema):
    tag = TagName(required=True)
    agent_id = Agent(required=True)


class BlacklistIn(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), _printable])
    agent_id = Agent(required=True)

    @validates("reason")
    def _not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("must not be blank")


class LiftIn(Schema):
    agent_id = Agent(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class RecomputeIn(Schema):
    agent_id = Agent(required=True)
    as_of = DateTime(load_default=None, metadata={"description": "pin the reference moment (shop time)"})
    follow_clock = Flag(load_default=False, metadata={"description": "unpin: use the shop's now again"})
    rebuild = Flag(
        load_default=False, metadata={"description": "first recount every customer's purchases from the ledger"}
    )

    @validates_schema
    def _one_of(self, data, **kwargs) -> None:
        if data.get("as_of") and data.get("follow_clock"):
            raise ValidationError("give as_of or follow_clock, not both", "follow_clock")


class RfmSummaryOut(Schema):
    as_of = fields.AwareDateTime(allow_none=True)
    pinned = fields.Boolean()
    computed_wall_at = fields.AwareDateTime(allow_none=True)
    customers = fields.Integer()
    changed = fields.Integer()
    took_ms = fields.Integer()
    dirty = fields.Boolean(metadata={"description": "purchases changed since; the timer recomputes soon"})
    segments = fields.Dict(keys=fields.String(), values=fields.Integer())
    edges = fields.Dict()


class SegmentOut(Schema):
    code = fields.String()
    name = fields.String()
    name_zh = fields.String()
    advice = fields.String()
    r = fields.List(fields.Integer())
    f = fields.List(fields.Integer())
    customers = fields.Integer()


class ImportForm(Schema):
    agent_id = Agent(required=True)


class ImportFile(Schema):
    file = Upload(required=True, metadata={"description": ".csv or .xlsx: customer, date, amount[, country]"})


class ImportOut(Schema):
    id = fields.String()
    filename = fields.String()
    format = fields.String()
    rows = fields.Integer()
    customers = fields.Integer()
    new_customers = fields.Integer()
    amount = Money(attribute="amount_cents")
    first_at = fields.AwareDateTime()
    last_at = fields.AwareDateTime()
    imported_by = fields.String()
    imported_wall_at = fields.AwareDateTime()


class CareTaskQuery(Page):
    kind = fields.String(load_default=None, validate=validate.OneOf(CARE_KINDS))
    customer_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class CareTaskOut(Schema):
    id = fields.String()
    customer_id = fields.String()
    kind = fields.String()
    order_id = fields.String(allow_none=True)
    language = fields.String()
    subject = fields.String()
    body = fields.String()
    placeholders = fields.Dict()
    due_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    announced_wall_at = fields.AwareDateTime()


class MetricsQuery(Period):
    pass
