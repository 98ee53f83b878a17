"""The scenario file's schema: every key known, every value possible, or the file is refused.

Durations are written ``90s``, ``45m``, ``2h``, ``1h30m``, ``7d`` (or a number of seconds); offsets (``at``) count
from the scenario's start. Cross-field rules (an injection after the end, shares that do not add up, a rate curve
going back in time) are checked here too, each naming its field so the loader can name its line.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shoplab.contracts.orders import PAYMENT_FAILURE_REASONS
from shoplab.contracts.tickets import DISPUTE_REASONS
from shoplab.shops.profiles import platform_codes
from simulator.reference_data import data, default_levels

_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")
INJECTION_KINDS = (
    "dispute",
    "one_star_review",
    "lost_parcel",
    "customs_hold",
    "angry_message",
    "failed_payment",
    "presale_flood",
)
TEXT_LANGUAGES = ("zh", "en", "es", "fr", "de")
MAX_DURATION = 60 * 86400


class Duration(fields.Field):
    """A span of time in seconds, written ``1h30m`` or as seconds."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("not a duration")
        if isinstance(value, int | float):
            seconds = int(value)
        elif isinstance(value, str) and value.strip() and (match := _DURATION.match(value)):
            days, hours, minutes, secs = (int(part or 0) for part in match.groups())
            seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
        else:
            raise ValidationError(f"not a duration: {value!r} (write 90s, 45m, 2h, 1h30m or 7d)")
        if seconds < 0 or seconds > MAX_DURATION:
            raise ValidationError(f"{value!r} is out of range (0 to 60 days)")
        return seconds


class DateValue(fields.Field):
    """A calendar day, written 2026-11-10 (YAML reads it as a date) or as that string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, datetime):
            raise ValidationError("a day, not a moment: write 2026-11-10")
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(f"not a day: {value!r} (write 2026-11-10)")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class StartSchema(Strict):
    time_of_day = fields.String(
        required=True,
        validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error='write the time as "HH:MM" in quotes'),
    )
    timezone = fields.String(required=True)
    date = DateValue(load_default=None)

    @validates_schema(skip_on_field_errors=False)
    def _zone(self, data: dict[str, Any], **kwargs: Any) -> None:
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, too long a name
            raise ValidationError(f"unknown time zone {data['timezone']!r}", "timezone")


class BuyersSchema(Strict):
    count = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5000))
    temperaments = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("rational", "cautious", "demanding"))),
        values=fields.Float(validate=validate.Range(0, 1)),
        load_default=None,
    )
    languages = fields.List(
        fields.String(validate=validate.OneOf(TEXT_LANGUAGES)), load_default=None, validate=validate.Length(min=1)
    )
    response_target_seconds = fields.Integer(strict=True, load_default=None, validate=validate.Range(10, 7 * 86400))

    @validates_schema(skip_on_field_errors=False)
    def _shares(self, data: dict[str, Any], **kwargs: Any) -> None:
        shares = data.get("temperaments")
        if shares is not None and abs(sum(shares.values()) - 1) > 0.001:
            raise ValidationError(f"the shares add up to {sum(shares.values()):g}, not 1", "temperaments")


class RatePointSchema(Strict):
    at = Duration(required=True)
    per_hour = fields.Float(required=True, validate=validate.Range(0, 100000), allow_nan=False)


class InjectionSchema(Strict):
    at = Duration(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INJECTION_KINDS))
    buyer = fields.String(validate=validate.Regexp(r"^b\d{4}$"))
    reason = fields.String()
    count = fields.Integer(strict=True, validate=validate.Range(1, 500))
    note = fields.String()

    @validates_schema(skip_on_field_errors=False)
    def _parameters(self, data: dict[str, Any], **kwargs: Any) -> None:
        allowed = {
            "dispute": {"reason": DISPUTE_REASONS},
            "failed_payment": {"reason": PAYMENT_FAILURE_REASONS},
            "presale_flood": {"count": None},
        }.get(data.get("kind", ""), {})
        for name in ("reason", "count"):
            if name in data and name not in allowed:
                raise ValidationError(f"not a parameter of {data['kind']}", name)
        if "reason" in data and data["reason"] not in allowed["reason"]:
            raise ValidationError(f"must be one of {', '.join(allowed['reason'])}", "reason")
        if data.get("kind") == "presale_flood" and "count" not in data:
            raise ValidationError("a flood needs its count", "count")


class KpiSchema(Strict):
    metric = fields.String(required=True)
    target = fields.String(
        required=True,
        validate=validate.Regexp(r"^\s*(<=|>=|<|>)\s*-?\d+(\.\d+)?\s*$", error='write a target as ">= 0.8" or "<= 60"'),
    )
    within = fields.Integer(strict=True, validate=validate.Range(1, 7 * 86400))
    label = fields.String()

    @validates_schema(skip_on_field_errors=False)
    def _known(self, data: dict[str, Any], **kwargs: Any) -> None:
        known = data_kpis()
        if data.get("metric") not in known:
            raise ValidationError(f"unknown metric; known: {', '.join(sorted(known))}", "metric")
        if "within" in data and not known[data["metric"]].get("takes_within"):
            raise ValidationError(f"{data['metric']} takes no 'within'", "within")


def data_kpis() -> dict[str, Any]:
    return data("kpis")


class ScenarioSchema(Strict):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{3,60}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    platforms = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    learning_goal = fields.String(required=True, validate=validate.Length(min=1))
    learning_goal_zh = fields.String(required=True, validate=validate.Length(min=1))
    seed = fields.Integer(strict=True, required=True, validate=validate.Range(0, 2**63))
    duration = Duration(required=True, validate=validate.Range(min=60, error="a scenario lasts at least a minute"))
    clock_speed = fields.Float(required=True, validate=validate.Range(0.1, 10000), allow_nan=False)
    start = fields.Nested(StartSchema, load_default=None)
    buyers = fields.Nested(BuyersSchema, required=True)
    order_rate = fields.List(fields.Nested(RatePointSchema), required=True, validate=validate.Length(min=1))
    behaviour = fields.Dict(keys=fields.String(), values=fields.Float(), load_default=dict)
    injections = fields.List(fields.Nested(InjectionSchema), load_default=list)
    kpis = fields.List(fields.Nested(KpiSchema), required=True, validate=validate.Length(min=1))

    @validates_schema(skip_on_field_errors=False)
    def _together(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        unknown = [code for code in data.get("platforms", []) if code not in platform_codes()]
        if unknown:
            errors["platforms"] = [f"unknown platform {unknown[0]!r}; known: {', '.join(platform_codes())}"]
        levels = default_levels()
        for key, value in data.get("behaviour", {}).items():
            if key not in levels:
                errors.setdefault("behaviour", {})[key] = [f"unknown behaviour; known: {', '.join(sorted(levels))}"]
            elif not 0 <= value <= 1:
                errors.setdefault("behaviour", {})[key] = ["a probability is between 0 and 1"]
        duration = data.get("duration")
        previous = -1
        for index, point in enumerate(data.get("order_rate", [])):
            if duration is not None and point["at"] > duration:
                errors.setdefault("order_rate", {})[index] = {"at": ["after the scenario's end"]}
            elif point["at"] < previous:
                errors.setdefault("order_rate", {})[index] = {"at": ["earlier than the point before it"]}
            previous = point["at"]
        if data.get("order_rate") and data["order_rate"][0]["at"] != 0:
            errors.setdefault("order_rate", {}).setdefault(0, {"at": ["the curve must start at 0"]})
        for index, injection in enumerate(data.get("injections", [])):
            if duration is not None and injection["at"] > duration:
                errors.setdefault("injections", {})[index] = {"at": ["after the scenario's end"]}
        if errors:
            raise ValidationError(errors)
