"""Payment reminder bodies (催付): the due list, a reminder, its result note."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.orders.reminders import OUTCOMES
from services.orders.schemas.actors import Agent, Note
from shoplab.contracts.bounded import Integer
from shoplab.contracts.money import Money


class DueQuery(Schema):
    limit = Integer(load_default=50, minimum=1, maximum=500)


class DueOut(Schema):
    order_id = fields.String(attribute="id")
    order_no = fields.String()
    customer_id = fields.String()
    buyer_name = fields.String()
    buyer_timezone = fields.String()
    buyer_language = fields.String()
    total = Money(attribute="total_cents")
    currency = fields.String()
    placed_at = fields.AwareDateTime()
    pay_by = fields.AwareDateTime(attribute="pay_due_at")
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
