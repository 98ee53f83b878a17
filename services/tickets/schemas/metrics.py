"""Metrics and the export: periods are half-open ``[from, to)`` on the wall clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.tickets.daily import MAX_DAYS
from shoplab.contracts.bounded import SECONDS_MAX, Integer, Period
from shoplab.contracts.money import Money
from shoplab.contracts.tickets import GROUPS


class PeriodQuery(Period):
    pass


class MetricsQuery(PeriodQuery):
    agent = fields.String(load_default=None)
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS))
    within = Integer(minimum=1, maximum=SECONDS_MAX, load_default=None)


class AgentMetricsQuery(PeriodQuery):
    within = Integer(minimum=1, maximum=SECONDS_MAX, load_default=None)


class ExportQuery(Period):
    pass


class StatsOut(Schema):
    count = fields.Integer()
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)


class FirstResponseOut(StatsOut):
    conversations = fields.Integer()
    unanswered = fields.Integer()
    buckets = fields.Dict(keys=fields.String(), values=fields.Integer())


class ResponseOut(Schema):
    rounds = fields.Integer()
    average = fields.Nested(StatsOut)
    within_seconds = fields.Integer()
    answered_within = fields.Integer()
    decided_rounds = fields.Integer()
    rate_within = fields.Float(allow_none=True)


class ConversionOut(Schema):
    buyers_asked = fields.Integer()
    buyers_paid = fields.Integer()
    rate = fields.Float(allow_none=True)
    paid_amount = Money(attribute="paid_cents")


class MetricsOut(Schema):
    """``metrics.compute``'s figures."""

    shop_id = fields.String()
    from_ = fields.AwareDateTime(attribute="from", data_key="from")
    to = fields.AwareDateTime()
    agent = fields.String(allow_none=True)
    group = fields.String(allow_none=True)
    tickets = fields.Dict(keys=fields.String(), values=fields.Integer())
    first_response = fields.Nested(FirstResponseOut)
    response = fields.Nested(ResponseOut)
    resolution = fields.Nested(StatsOut)
    sla_breaches = fields.Dict()
    csat = fields.Dict()
    inquiry_conversion = fields.Nested(ConversionOut)


class AgentMetricsOut(MetricsOut):
    display_name = fields.String()


class DailyQuery(MetricsQuery):
    timezone = fields.String(
        load_default="UTC", validate=validate.Length(max=64), metadata={"description": "where the days begin (IANA)"}
    )

    @validates_schema
    def _days(self, data: dict[str, Any], **_: Any) -> None:
        try:
            ZoneInfo(data.get("timezone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("an IANA time zone such as Asia/Shanghai", "timezone") from None
        if "from_" in data and "to" in data and data["to"] - data["from_"] > timedelta(days=MAX_DAYS):
            raise ValidationError(f"a period of at most {MAX_DAYS} days", "to")


class DayOut(Schema):
    """One day of ``daily.daily``: the figures of the daily trend."""

    from_ = fields.AwareDateTime(attribute="from", data_key="from")
    to = fields.AwareDateTime()
    first_response = fields.Dict()
    response = fields.Dict()
    tickets = fields.Dict(keys=fields.String(), values=fields.Integer())
