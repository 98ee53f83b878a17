from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.plumbing.bus_api import ClockOut


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    class_id = fields.String(allow_none=True)


class LoginOut(Schema):
    token = fields.String(metadata={"description": "send as 'Authorization: Bearer <token>'"})
    user = fields.Nested(UserOut)


class ShopIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    platform = fields.String(required=True, metadata={"description": "taobao, aliexpress, amazon or ebay"})
    class_id = fields.String(load_default=None, allow_none=True)
    speed = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False, max=10000))


class ClockIn(Schema):
    speed = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=10000))
    paused = fields.Boolean()
    advance_seconds = fields.Float(
        load_default=0,
        validate=validate.Range(min=0, max=365 * 86400),
        metadata={"description": "jump the simulated clock forward by this many seconds"},
    )


class ShopOut(Schema):
    id = fields.String()
    name = fields.String()
    platform = fields.String()
    currency = fields.String()
    class_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    clock = fields.Method("dump_clock", metadata={"description": "the simulated clock"})

    def dump_clock(self, shop) -> dict:
        clock = shop.clock
        return ClockOut().dump({**clock.to_dict(), "now": clock.now()})
