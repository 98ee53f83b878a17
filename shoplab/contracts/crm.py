"""Events the crm service publishes. Other services read these; add fields freely, rename or remove none.

Who reads them: the gateway (live UI: a customer's tags, segment, grade and blacklist changed) and the tickets
service (``care.task_due`` becomes a care item in the students' queue; ``customer.flagged_order`` a warning on a
blacklisted buyer's new order). Every payload carries what its reader needs, so nobody has to ask crm back.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts
from shoplab.contracts.money import Money

TAG_SOURCES = ["manual", "rule"]
CARE_KINDS = ["holiday_greeting", "follow_up", "win_back"]


class CustomerRef(Schema):
    """What every crm event carries: whose profile it is about."""

    customer_id = fields.String(required=True)
    customer_name = fields.String(load_default=None, allow_none=True)


class CustomerTagged(CustomerRef):
    tag = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(TAG_SOURCES))
    by = fields.String(required=True, metadata={"description": "agent id, or rule:<tag> for an automatic tag"})
    note = fields.String(load_default="", allow_none=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    wall_at = fields.AwareDateTime(required=True, metadata={"description": "wall clock"})
    tags = fields.List(fields.String(), required=True, metadata={"description": "the customer's tags now"})


class CustomerSegmentChanged(CustomerRef):
    segment = fields.String(required=True, allow_none=True)
    previous_segment = fields.String(load_default=None, allow_none=True)
    r = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=5))
    f = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=5))
    m = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=5))
    at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class SegmentsRefreshed(Schema):
    """A full RFM computation of the shop: the live UI reloads its customer lists (one event, not one per row)."""

    as_of = fields.AwareDateTime(required=True, metadata={"description": "the reference moment, shop time"})
    customers = fields.Integer(required=True, metadata={"description": "customers with a purchase, scored"})
    changed = fields.Integer(required=True, metadata={"description": "customers whose scores or segment moved"})
    segments = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    trigger = fields.String(required=True, validate=validate.OneOf(["request", "timer", "import"]))
    by = fields.String(load_default=None, allow_none=True)


class CustomerGradeChanged(CustomerRef):
    grade = fields.String(required=True, allow_none=True)
    previous_grade = fields.String(load_default=None, allow_none=True)
    spent = Money(required=True, minimum=-(10**12))
    purchases = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class CustomerBlacklisted(CustomerRef):
    reason = fields.String(required=True)
    by = fields.String(required=True, metadata={"description": "agent id"})
    at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    wall_at = fields.AwareDateTime(required=True)


class BlacklistLifted(CustomerRef):
    by = fields.String(required=True, metadata={"description": "agent id"})
    note = fields.String(load_default="", allow_none=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    wall_at = fields.AwareDateTime(required=True)


class FlaggedOrder(CustomerRef):
    """A blacklisted buyer placed an order: the student should look before shipping."""

    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    total = Money(load_default=None, allow_none=True)
    currency = fields.String(load_default=None, allow_none=True)
    placed_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    reason = fields.String(required=True, metadata={"description": "why the buyer is blacklisted"})
    blacklisted_by = fields.String(required=True)
    blacklisted_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class CareTaskDue(CustomerRef):
    """A care task for the students' queue, complete: the tickets service opens a queue item from it alone."""

    task_id = fields.String(required=True, metadata={"description": "crm's id; the queue item's source_ref"})
    kind = fields.String(required=True, validate=validate.OneOf(CARE_KINDS))
    language = fields.String(required=True, metadata={"description": "the language of subject and body"})
    channel = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "the message to send, placeholders filled"})
    template = fields.String(required=True, metadata={"description": "the template's text, placeholders as {name}"})
    placeholders = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    order_id = fields.String(load_default=None, allow_none=True)
    order_no = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True)
    timezone = fields.String(load_default=None, allow_none=True)
    due_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    local_time = fields.String(required=True, metadata={"description": "the customer's local time then, ISO 8601"})
    expires_at = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={"description": "shop time; after it the task is pointless"}
    )
    grade = fields.String(load_default=None, allow_none=True)
    segment = fields.String(load_default=None, allow_none=True)


CONTRACTS = contracts(
    Contract("customer.tagged", CustomerTagged, description="a tag was added to a customer (by a student or a rule)"),
    Contract("customer.untagged", CustomerTagged, description="a tag was removed from a customer"),
    Contract("customer.segment_changed", CustomerSegmentChanged, description="a customer's RFM segment moved"),
    Contract("customer.segments_refreshed", SegmentsRefreshed, description="a shop's RFM was recomputed in full"),
    Contract("customer.grade_changed", CustomerGradeChanged, description="a customer's member grade changed"),
    Contract("customer.blacklisted", CustomerBlacklisted, description="a student blacklisted a buyer, with reason"),
    Contract("customer.blacklist_lifted", BlacklistLifted, description="a buyer was taken off the blacklist"),
    Contract("customer.flagged_order", FlaggedOrder, description="a blacklisted buyer placed a new order"),
    Contract("care.task_due", CareTaskDue, description="a care task (greeting, follow-up, win-back) is due"),
)
