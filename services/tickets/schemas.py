"""The tickets API's request and response schemas (they document /openapi.json)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.tickets.conversations import CHANNELS, KINDS, MAX_BODY, STATUSES
from services.tickets.disputes import PROPOSALS
from services.tickets.phrases import KINDS as PHRASE_KINDS
from services.tickets.policy import ROUTING_MODES
from services.tickets.routing import GROUPS
from services.tickets.routing import STATUSES as AGENT_STATUSES
from shoplab.contracts.orders import Money

Body = lambda **kw: fields.String(  # noqa: E731 - one rule for every message text
    validate=[validate.Length(min=1, max=MAX_BODY), validate.Regexp(r"\S", error="must not be blank")], **kw
)
Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


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
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class TicketViewQuery(Schema):
    audience = fields.String(load_default="agent", validate=validate.OneOf(["agent", "buyer"]))


class MessageIn(Schema):
    author = fields.String(required=True, validate=validate.OneOf(["buyer", "agent"]))
    agent_id = Id(load_default=None)
    body = Body(load_default=None)
    phrase_id = fields.Integer(load_default=None)
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default=None, validate=validate.Length(min=2, max=10))
    await_buyer = fields.Boolean(load_default=False, metadata={"description": "agent: set pending on the buyer"})

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
    status = fields.String(required=True, validate=validate.OneOf(["pending", "open", "resolved", "closed"]))
    agent_id = Id(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=40))


class CsatIn(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class AgentStatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(AGENT_STATUSES))


class AgentIn(Schema):
    skills = fields.List(fields.String(validate=validate.OneOf(GROUPS)))
    max_open = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=200))


class AgentOut(Schema):
    agent_id = fields.String()
    display_name = fields.String()
    skills = fields.List(fields.String())
    status = fields.String()
    open_tickets = fields.Integer()
    cap = fields.Integer()
    last_assigned_at = fields.AwareDateTime(allow_none=True)


class SettingsIn(Schema):
    routing_mode = fields.String(allow_none=True, validate=validate.OneOf(ROUTING_MODES))
    per_agent_cap = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=200))
    first_response_seconds = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    next_response_seconds = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    resolution_seconds = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    response_rate_within_seconds = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    welcome = fields.Dict(
        keys=fields.String(), values=fields.String(validate=validate.Length(max=500)), allow_none=True
    )


class TargetsOut(Schema):
    first_response_seconds = fields.Integer()
    next_response_seconds = fields.Integer()
    resolution_seconds = fields.Integer()
    response_rate_within_seconds = fields.Integer()


class SettingsOut(Schema):
    platform = fields.String()
    routing_mode = fields.String()
    per_agent_cap = fields.Integer()
    targets = fields.Nested(TargetsOut)
    welcome = fields.Dict(keys=fields.String(), values=fields.String())
    default_language = fields.String()
    dispute = fields.Dict()


class SlaOut(Schema):
    first_response_due = fields.AwareDateTime(allow_none=True, metadata={"description": "shop time"})
    next_response_due = fields.AwareDateTime(allow_none=True)
    resolution_due = fields.AwareDateTime(allow_none=True)
    paused_since = fields.AwareDateTime(allow_none=True)
    paused_seconds = fields.Float()
    first_response_breached = fields.Boolean()
    next_response_breached = fields.Boolean()
    resolution_breached = fields.Boolean()
    breaches = fields.Integer()


class CsatOut(Schema):
    score = fields.Integer()
    comment = fields.String()
    rated_at = fields.AwareDateTime()


class TicketOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    kind = fields.String()
    group = fields.String()
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
    opened_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    first_replied_at = fields.AwareDateTime(allow_none=True)
    first_response_seconds = fields.Float(allow_none=True, metadata={"description": "wall seconds"})
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolution_seconds = fields.Float(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)
    reopen_count = fields.Integer()
    round_count = fields.Integer()
    sla = fields.Nested(SlaOut)
    csat = fields.Nested(CsatOut, allow_none=True)
    converted = fields.Boolean()


class MessageOut(Schema):
    id = fields.Integer()
    author = fields.String(metadata={"description": "buyer, agent or system"})
    kind = fields.String(metadata={"description": "message, auto_reply, note (internal) or event (internal)"})
    agent_id = fields.String(allow_none=True)
    body = fields.String()
    channel = fields.String()
    language = fields.String()
    created_at = fields.AwareDateTime()
    phrase_id = fields.Integer(allow_none=True)
    warnings = fields.List(fields.Dict())


class RoundOut(Schema):
    seq = fields.Integer()
    started_at = fields.AwareDateTime()
    replied_at = fields.AwareDateTime(allow_none=True)
    reply_seconds = fields.Float(allow_none=True)
    agent_id = fields.String(allow_none=True)


class OrderOut(Schema):
    order_id = fields.String()
    order_no = fields.String()
    amount = Money(allow_none=True)
    currency = fields.String(allow_none=True)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    paid = fields.Boolean()
    cancelled = fields.Boolean()
    delivered = fields.Boolean()


class TicketDetailOut(TicketOut):
    messages = fields.List(fields.Nested(MessageOut))
    rounds = fields.List(fields.Nested(RoundOut))
    order = fields.Nested(OrderOut, allow_none=True)


class TicketListOut(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(TicketOut))


class ReplyOut(Schema):
    ticket = fields.Nested(TicketOut)
    message = fields.Nested(MessageOut)
    warnings = fields.List(fields.Dict(), metadata={"description": "platform rules with action 'warn' it broke"})


class PhraseIn(Schema):
    kind = fields.String(load_default="phrase", validate=validate.OneOf(PHRASE_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    language = fields.String(load_default="zh", validate=validate.Length(min=2, max=10))
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS))


class PhraseOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    language = fields.String()
    group = fields.String(allow_none=True)
    placeholders = fields.List(fields.String())
    uses = fields.Integer()
    uses_by_agent = fields.Dict(keys=fields.String(), values=fields.Integer())


class DisputeIn(Schema):
    order_id = Id(required=True)
    reason = fields.String(
        required=True,
        validate=validate.OneOf(["not_received", "not_as_described", "damaged", "wrong_item", "quality", "other"]),
    )
    amount_requested = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0.01))
    evidence = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)
    statement = Body(load_default=None, metadata={"description": "the buyer's words, as the ticket's first message"})


class ProposalIn(Schema):
    agent_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PROPOSALS))
    amount = fields.Decimal(load_default=None, places=2, as_string=True)
    evidence = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))


class DecisionIn(Schema):
    accept = fields.Boolean(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))


class EscalateIn(Schema):
    by = fields.String(required=True, validate=validate.OneOf(["buyer", "shop", "instructor"]))


class ProposalOut(Schema):
    kind = fields.String()
    amount = Money(allow_none=True)
    evidence = fields.List(fields.String())
    note = fields.String(allow_none=True)
    agent_id = fields.String(allow_none=True)


class RulingOut(Schema):
    outcome = fields.String()
    refund_amount = Money()
    with_return = fields.Boolean()
    reason = fields.String()
    ruled_at = fields.AwareDateTime()


class DisputeOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    ticket_id = fields.String()
    order_id = fields.String()
    order_no = fields.String()
    customer_id = fields.String()
    reason = fields.String()
    amount_requested = Money()
    currency = fields.String()
    buyer_evidence = fields.List(fields.String())
    status = fields.String()
    opened_at = fields.AwareDateTime(metadata={"description": "shop time, like every dispute time"})
    respond_by = fields.AwareDateTime()
    escalate_at = fields.AwareDateTime()
    seller_responded_at = fields.AwareDateTime(allow_none=True)
    proposal = fields.Nested(ProposalOut, allow_none=True)
    buyer_decision = fields.String(allow_none=True)
    escalated_at = fields.AwareDateTime(allow_none=True)
    escalation_reason = fields.String(allow_none=True)
    ruling = fields.Nested(RulingOut, allow_none=True)


class DisputeQuery(Schema):
    status = fields.String(load_default=None)


class MetricsQuery(Schema):
    from_ = fields.AwareDateTime(data_key="from", required=True)
    to = fields.AwareDateTime(required=True)
    agent = fields.String(load_default=None)
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS))
    within = fields.Integer(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def _period(self, data, **_):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must be after 'from'", "to")


class ExportQuery(Schema):
    from_ = fields.AwareDateTime(data_key="from", required=True)
    to = fields.AwareDateTime(required=True)


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


class MetricsOut(Schema):
    shop_id = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    agent = fields.String(allow_none=True)
    group = fields.String(allow_none=True)
    tickets = fields.Dict(keys=fields.String(), values=fields.Integer())
    first_response = fields.Nested(FirstResponseOut)
    response = fields.Nested(ResponseOut)
    resolution = fields.Nested(StatsOut)
    sla_breaches = fields.Dict()
    csat = fields.Dict()
    inquiry_conversion = fields.Dict()


class AgentMetricsQuery(Schema):
    from_ = fields.AwareDateTime(data_key="from", required=True)
    to = fields.AwareDateTime(required=True)
    within = fields.Integer(load_default=None, validate=validate.Range(min=1))

    @validates_schema
    def _period(self, data, **_):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must be after 'from'", "to")


class AgentMetricsOut(MetricsOut):
    display_name = fields.String()
