"""The gateway's own request and response bodies (sign-in, classes, shops, buyer keys, customers)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from shoplab.contracts.bounded import Flag
from shoplab.plumbing.bus_api import ClockOut

Name = lambda **kw: fields.String(validate=validate.Length(min=1, max=200), **kw)  # noqa: E731
Team = lambda **kw: fields.String(validate=validate.Length(min=1, max=80), **kw)  # noqa: E731


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(metadata={"description": "admin, instructor or student"})
    class_id = fields.String(allow_none=True)
    student_no = fields.String(allow_none=True)
    must_change_password = fields.Boolean(metadata={"description": "true: POST /api/v1/auth/password first"})
    locale = fields.String(allow_none=True, metadata={"description": "the web pages' language: zh_CN or en"})


class LoginOut(Schema):
    token = fields.String(metadata={"description": "send as 'Authorization: Bearer <token>'; valid for 12 hours"})
    user = fields.Nested(UserOut)


class BrowserLoginOut(Schema):
    user = fields.Nested(UserOut)
    csrf_token = fields.String(metadata={"description": "send as 'X-CSRF-Token' on every POST, PUT, PATCH, DELETE"})


class PasswordOut(Schema):
    token = fields.String(metadata={"description": "your new bearer token (every older one was revoked)"})
    user = fields.Nested(UserOut)


class PasswordIn(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class LocaleIn(Schema):
    locale = fields.String(required=True, validate=validate.OneOf(["zh_CN", "en"]))


class NewUserIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[\w.@-]{2,80}$"))
    display_name = Name(load_default=None)
    role = fields.String(required=True, validate=validate.OneOf(["admin", "instructor"]))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class ClassIn(Schema):
    name = Name(required=True)


class ClassOut(Schema):
    id = fields.String()
    name = fields.String()
    created_at = fields.AwareDateTime(attribute="created_wall_at")


class StudentIn(Schema):
    student_no = fields.String(required=True, validate=validate.Regexp(r"^[\w.-]{1,40}$"))
    name = Name(required=True)
    team = Team(load_default=None)


class StudentOut(Schema):
    user_id = fields.String()
    username = fields.String()
    student_no = fields.String(
        allow_none=True, metadata={"description": "null for students made without one (the demo)"}
    )
    name = fields.String()
    team = fields.String(allow_none=True)
    shops = fields.List(fields.String())
    initial_password = fields.String(
        metadata={"description": "shown once, when the student is created or reset; changed at first sign-in"}
    )


class ClassDetailOut(ClassOut):
    instructors = fields.List(fields.Dict())
    students = fields.List(fields.Nested(StudentOut))
    shops = fields.List(fields.String())


class ImportOut(Schema):
    created = fields.List(fields.Nested(StudentOut))


class GiveShopsIn(Schema):
    platform = fields.String(required=True, metadata={"description": "taobao, aliexpress, amazon or ebay"})
    mode = fields.String(
        load_default="individual",
        validate=validate.OneOf(["individual", "team"]),
        metadata={"description": "individual: a shop per student; team: one shared shop per team"},
    )
    speed = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False, max=10000))


class ShopIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    platform = fields.String(required=True, metadata={"description": "taobao, aliexpress, amazon or ebay"})
    class_id = fields.String(load_default=None, allow_none=True)
    speed = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False, max=10000))


class ClockIn(Schema):
    speed = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=10000))
    paused = Flag()
    advance_seconds = fields.Float(
        load_default=0,
        validate=validate.Range(min=0, max=365 * 86400),
        metadata={"description": "jump the simulated clock forward by this many seconds"},
    )

    @validates_schema
    def _something_changes(self, data, **_) -> None:
        if "speed" not in data and "paused" not in data and not data.get("advance_seconds"):
            message = ["give at least one of speed, paused, advance_seconds"]
            raise ValidationError({"speed": message, "paused": message, "advance_seconds": message})


class MemberIn(Schema):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ShopOut(Schema):
    id = fields.String()
    name = fields.String()
    platform = fields.String()
    currency = fields.String()
    class_id = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(attribute="created_wall_at")
    clock = fields.Method("dump_clock", metadata={"description": "the simulated clock"})

    def dump_clock(self, shop) -> dict:
        clock = shop.clock
        return ClockOut().dump({**clock.to_dict(), "now": clock.now()})


class BuyerKeyIn(Schema):
    label = fields.String(load_default="instructor", validate=validate.Length(min=1, max=200))


class BuyerKeyOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    label = fields.String()
    issued_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(attribute="created_wall_at")
    revoked_at = fields.AwareDateTime(attribute="revoked_wall_at", allow_none=True)
    key = fields.String(metadata={"description": "shown once: send as 'Authorization: Bearer <key>'"})


class CustomerIn(Schema):
    name = Name(required=True)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. US"))
    timezone = fields.String(required=True, metadata={"description": "IANA time zone, e.g. America/New_York"})
    language = fields.String(required=True, validate=validate.Length(min=2, max=16))

    @validates("timezone")
    def _known_zone(self, value: str, **_) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, too long a name
            raise ValidationError("unknown time zone; use an IANA name such as Asia/Shanghai")


class CustomerOut(Schema):
    shop_id = fields.String()
    customer_id = fields.String()
    name = fields.String()
    country = fields.String()
    timezone = fields.String()
    language = fields.String()
