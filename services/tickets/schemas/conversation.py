"""Tickets and their conversations: opening, the queue, messages, notes, moves between agents, status, CSAT.

Response times keep the API's names: ``opened_at``, ``updated_at``, ``resolved_at`` ... are the wall-clock columns
(``*_wall_at``); the ``sla`` due times are the shop's clock.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.tickets.messages import CHANNELS
from services.tickets.schemas.field_types import Body, Flattened, Id, IsSet, StoredJson, StoredObject
from services.tickets.ticket_state import SET_BY_AGENT, STATUSES
from shoplab.contracts.bounded import Flag, Integer
from shoplab.contracts.money import Money
from shoplab.contracts.tickets import GROUPS, KINDS


class TicketOpenIn(Schema):
    customer_id = Id(required=True)
    buyer_name = fields.String(load_default=None, validate=validate.Length(max=200))
    body = Body(required=True, metadata={"description": "the buyer's first message"})
    kind = fields.String(load_default="pre_sale", validate=validate.OneOf(KINDS))
    channel = fields.String(load_default="chat", validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default=None, validate=validate.Length(min=2, max=10))
    order_id = Id(load_default=None)
    subject = fields.String(load_default="", validate=validate.Length(max=200))


class TicketQuery(Schema):
    status = fields.List(fields.String(validate=validate.OneOf([*STATUSES, "active"])), load_default=list)
    assignee = fields.String(load_default=None, metadata={"description": "an agent id, or 'none' for unassigned"})
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS))
    customer_id = fields.String(load_default=None)
    order_id = fields.String(load_default=None)
    limit = Integer(load_default=50, minimum=1, maximum=500)
    offset = Integer(load_default=0, maximum=10_000_000)


class TicketViewQuery(Schema):
    audience = fields.String(load_default="agent", validate=validate.OneOf(["agent", "buyer"]))
    after = Integer(
        load_default=None,
        minimum=0,
        metadata={"description": "only the messages after this one (a page that shows the others asks what is new)"},
    )


class MessageIn(Schema):
    author = fields.String(required=True, validate=validate.OneOf(["buyer", "agent"]))
    agent_id = Id(load_default=None)
    body = Body(load_default=None)
    phrase_id = Integer(load_default=None, minimum=1)
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default=None, validate=validate.Length(min=2, max=10))
    await_buyer = Flag(load_default=False, metadata={"description": "agent: set pending on the buyer"})

    @validates_schema
    def _who(self, data, **_):
        if data["author"] == "agent" and not data.get("agent_id"):
            raise ValidationError("an agent's reply names the agent", "agent_id")
        if data["author"] == "buyer" and data.get("body") is None:
            raise ValidationError("the buyer's message has a body", "body")
        if data["author"] == "agent" and data.get("body") is None and data.get("phrase_id") is None:
            raise ValidationError("a reply has a body or a phrase", "body")


class NoteIn(Schema):
    agent_id = Id(required=True)
    body = Body(required=True)


class ClaimIn(Schema):
    agent_id = Id(required=True)


class TransferIn(Schema):
    agent_id = Id(required=True, metadata={"description": "the agent holding the ticket"})
    to_agent_id = Id(required=True)


class AssignIn(Schema):
    agent_id = Id(required=True)


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(list(SET_BY_AGENT)))
    agent_id = Id(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=40))


class CsatIn(Schema):
    score = Integer(required=True, minimum=1, maximum=5)
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class SlaOut(Schema):
    first_response_due = fields.AwareDateTime(
        attribute="first_response_due_at", allow_none=True, metadata={"description": "shop time"}
    )
    next_response_due = fields.AwareDateTime(attribute="next_response_due_at", allow_none=True)
    resolution_due = fields.AwareDateTime(attribute="resolution_due_at", allow_none=True)
    paused_since = fields.AwareDateTime(attribute="paused_at", allow_none=True)
    paused_seconds = fields.Float()
    first_response_breached = fields.Boolean()
    next_response_breached = fields.Boolean()
    resolution_breached = fields.Boolean()
    breaches = fields.Integer(attribute="breach_count")


class CsatOut(Schema):
    score = fields.Integer(attribute="csat_score")
    comment = fields.String(attribute="csat_comment")
    rated_at = fields.AwareDateTime(attribute="rated_wall_at")


class TicketOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    kind = fields.String()
    group = fields.String(attribute="grp")
    status = fields.String()
    subject = fields.String()
    channel = fields.String()
    language = fields.String()
    source = fields.String()
    customer_id = fields.String(allow_none=True)
    buyer_name = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    order_no = fields.String(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    served_by = fields.String(allow_none=True)
    awaiting_reply = fields.Boolean()
    opened_at = fields.AwareDateTime(attribute="opened_wall_at", metadata={"description": "wall clock"})
    updated_at = fields.AwareDateTime(attribute="updated_wall_at")
    first_replied_at = fields.AwareDateTime(attribute="first_replied_wall_at", allow_none=True)
    first_response_seconds = fields.Float(allow_none=True, metadata={"description": "wall seconds"})
    resolved_at = fields.AwareDateTime(attribute="resolved_wall_at", allow_none=True)
    resolution_seconds = fields.Float(allow_none=True)
    closed_at = fields.AwareDateTime(attribute="closed_wall_at", allow_none=True)
    close_reason = fields.String(allow_none=True)
    reopen_count = fields.Integer()
    round_count = fields.Integer()
    sla = Flattened(SlaOut)
    csat = Flattened(CsatOut, allow_none=True, present=lambda ticket: ticket.rated_wall_at is not None)
    converted = IsSet(attribute="converted_wall_at")
    expires_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "shop time: an unanswered task closes itself then (care greetings)"}
    )


class MessageOut(Schema):
    id = fields.Integer()
    author = fields.String(metadata={"description": "buyer, agent or system"})
    kind = fields.String(
        metadata={
            "description": "message, auto_reply, note (internal), event (internal) or suggestion (internal: a reply "
            "the agent may send as it is or edit, e.g. a care item's text)"
        }
    )
    agent_id = fields.String(allow_none=True)
    body = fields.String()
    channel = fields.String()
    language = fields.String()
    created_at = fields.AwareDateTime(attribute="created_wall_at")
    phrase_id = fields.Integer(allow_none=True)
    warnings = StoredJson(fields.Dict())
    code = fields.String(
        attribute="event_code",
        allow_none=True,
        metadata={
            "description": "a system event's code (kind event), null on other messages and on events older than "
            "codes: with params it says what body says in English, for a client to word in its own language"
        },
    )
    params = StoredObject(
        attribute="event_params",
        allow_none=True,
        metadata={
            "description": "what the event's body was written from (with code): codes as they are (a rating, a "
            "close reason, a proposal), amounts as decimal strings with their currency, moments in ISO 8601 on the "
            "shop's clock, people's own words as written"
        },
    )


class RoundOut(Schema):
    seq = fields.Integer()
    started_at = fields.AwareDateTime(attribute="started_wall_at")
    replied_at = fields.AwareDateTime(attribute="replied_wall_at", allow_none=True)
    reply_seconds = fields.Float(allow_none=True)
    agent_id = fields.String(allow_none=True)


class OrderOut(Schema):
    """The order beside the conversation, as the queue learned it from the orders service's events."""

    order_id = fields.String()
    order_no = fields.String()
    amount = Money(attribute="total_cents", allow_none=True)
    currency = fields.String(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    paid = IsSet(attribute="paid_wall_at")
    cancelled = IsSet(attribute="cancelled_wall_at")
    delivered = IsSet(attribute="delivered_at")


class TicketDetailOut(TicketOut):
    """A ticket with its conversation (``views.TicketDetail``); rounds and order for the agent only."""

    messages = fields.List(fields.Nested(MessageOut))
    rounds = fields.List(fields.Nested(RoundOut))
    order = fields.Nested(OrderOut, allow_none=True)


class TicketListOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(TicketOut))


class ReplyOut(Schema):
    ticket = fields.Nested(TicketOut)
    message = fields.Nested(MessageOut)
    warnings = StoredJson(
        fields.Dict(),
        attribute="message.warnings",
        metadata={"description": "platform rules with action 'warn' it broke"},
    )
