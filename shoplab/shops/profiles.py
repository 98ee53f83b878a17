"""Platform profiles: the rules a shop plays by, kept as data files (``shoplab/profiles/<code>.yaml``).

A profile is read-only data shared by every service; each service reads the sections it needs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"


class BuyerCountrySchema(Schema):
    country = fields.String(required=True, validate=validate.Length(equal=2))
    timezone = fields.String(required=True)
    language = fields.String(required=True)
    weight = fields.Float(load_default=1.0)


class ResponseTargetsSchema(Schema):
    first_response_seconds = fields.Integer(required=True)
    next_response_seconds = fields.Integer(required=True)
    resolution_seconds = fields.Integer(required=True)
    response_rate_within_seconds = fields.Integer(required=True)


class ForbiddenRuleSchema(Schema):
    id = fields.String(required=True)
    description = fields.String(required=True)
    description_zh = fields.String(load_default="")
    action = fields.String(required=True, validate=validate.OneOf(["refuse", "warn"]))
    words = fields.List(fields.String(), load_default=list)
    patterns = fields.List(fields.String(), load_default=list)


class ProfileSchema(Schema):
    class Meta:
        unknown = INCLUDE  # services may add their own sections

    code = fields.String(required=True)
    name = fields.String(required=True)
    name_zh = fields.String(required=True)
    market = fields.String(required=True, validate=validate.OneOf(["domestic", "cross_border"]))
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    languages = fields.List(fields.String(), required=True)
    buyer_countries = fields.List(fields.Nested(BuyerCountrySchema), required=True)
    payment_timeout_hours = fields.Float(required=True)
    reminders = fields.Dict(required=True)
    handling_time_days = fields.Integer(required=True)
    return_window_days = fields.Integer(required=True)
    no_reason_return_days = fields.Integer(required=True)
    dispute = fields.Dict(required=True)
    response_targets = fields.Nested(ResponseTargetsSchema, required=True)
    forbidden_content = fields.List(fields.Nested(ForbiddenRuleSchema), required=True)
    reviews = fields.Dict(required=True)
    carriers = fields.List(fields.String(), required=True)


class UnknownPlatform(KeyError):
    pass


def platform_codes() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.yaml"))


@cache
def load_profile(code: str) -> dict[str, Any]:
    path = PROFILE_DIR / f"{code}.yaml"
    if not path.is_file() or code not in platform_codes():
        raise UnknownPlatform(code)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        profile = ProfileSchema().load(raw)
    except ValidationError as exc:
        raise ValueError(f"platform profile {path.name} is invalid: {exc.messages}") from exc
    if profile["code"] != code:
        raise ValueError(f"platform profile {path.name} names itself {profile['code']!r}")
    return profile
