"""Events the tickets service publishes. Other services read these; add fields freely, rename or remove none."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts
from shoplab.contracts.money import Money

# The ticket kinds, in the queue's order: the one list (the tickets service maps each to its skill group).
# care: crm's care task (greeting, follow-up, win-back); flagged_order: a blacklisted buyer's new order (crm).
KINDS = ("pre_sale", "payment_reminder", "care", "order", "flagged_order", "logistics", "refund", "return", "dispute",
         "review_follow_up", "complaint")  # fmt: skip
GROUPS = ("pre_sale", "after_sale")

# why a buyer disputes an order (the tickets API refuses others; an instructor may inject any of them)
DISPUTE_REASONS = ("not_received", "not_as_described", "damaged", "wrong_item", "quality", "other")


class DisputeOpened(Schema):
    dispute_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    customer_id = fields.String(required=True)
    reason = fields.String(required=True)
    amount_requested = Money(required=True)
    currency = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True)
    respond_by = fields.AwareDateTime(required=True)


class DisputeRuled(Schema):
    """The platform's ruling; when it is for the buyer, the orders service executes the refund, once."""

    dispute_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    customer_id = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["buyer", "seller", "split"]))
    refund_amount = Money(required=True, metadata={"description": "0 when ruled for the seller"})
    currency = fields.String(required=True)
    with_return = fields.Boolean(load_default=False)
    reason = fields.String(required=True, metadata={"description": "which platform rule decided it"})
    ruled_at = fields.AwareDateTime(required=True)
    arbitrated = fields.Boolean(
        load_default=True,
        metadata={"description": "true: platform arbitration ruled; false: the buyer accepted the shop's proposal"},
    )
    escalated_at = fields.AwareDateTime(load_default=None, allow_none=True)


class TicketRef(Schema):
    """What every ticket event carries, so a consumer can link it to its conversation, customer and order."""

    ticket_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    group = fields.String(required=True, metadata={"description": "skill group: pre_sale or after_sale"})
    customer_id = fields.String(load_default=None, allow_none=True)
    order_id = fields.String(load_default=None, allow_none=True)
    order_no = fields.String(load_default=None, allow_none=True)


class TicketOpened(TicketRef):
    source = fields.String(required=True, metadata={"description": "buyer, api, or the event type that opened it"})
    channel = fields.String(required=True)
    language = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True, metadata={"description": "wall clock"})


class TicketAssigned(TicketRef):
    agent_id = fields.String(required=True, allow_none=True, metadata={"description": "null: back to the queue"})
    previous_agent_id = fields.String(load_default=None, allow_none=True)
    how = fields.String(
        required=True,
        validate=validate.OneOf(["routed", "claimed", "transferred", "assigned", "returned"]),
    )
    assigned_at = fields.AwareDateTime(required=True)


class MessageReceived(TicketRef):
    message_id = fields.Integer(required=True)
    channel = fields.String(required=True)
    language = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    reopened = fields.Boolean(load_default=False)


class MessageReplied(TicketRef):
    message_id = fields.Integer(required=True)
    agent_id = fields.String(load_default=None, allow_none=True, metadata={"description": "null for auto replies"})
    auto = fields.Boolean(required=True, metadata={"description": "an auto reply, never counted as a human reply"})
    channel = fields.String(required=True)
    reply_seconds = fields.Float(
        load_default=None, allow_none=True, metadata={"description": "wall seconds since the round's oldest message"}
    )
    phrase_id = fields.Integer(load_default=None, allow_none=True)
    replied_at = fields.AwareDateTime(required=True)


class TicketStatusChanged(TicketRef):
    status = fields.String(required=True)
    agent_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class TicketResolved(TicketRef):
    agent_id = fields.String(load_default=None, allow_none=True)
    resolution_seconds = fields.Float(required=True, metadata={"description": "wall seconds from opening"})
    resolved_at = fields.AwareDateTime(required=True)


class TicketClosed(TicketRef):
    reason = fields.String(
        required=True,
        metadata={
            "description": "agent, reminder_sent, order_paid, order_cancelled, order_shipped, delivered, "
            "platform_ruled, review_revised, review_removed, revision_window_closed, expired, ..."
        },
    )
    closed_at = fields.AwareDateTime(required=True)


class SlaBreached(TicketRef):
    target = fields.String(required=True, validate=validate.OneOf(["first_response", "next_response", "resolution"]))
    agent_id = fields.String(load_default=None, allow_none=True)
    due_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})
    detected_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


class CsatRated(TicketRef):
    agent_id = fields.String(load_default=None, allow_none=True)
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", allow_none=True)
    rated_at = fields.AwareDateTime(required=True)


class DisputeProposed(Schema):
    dispute_id = fields.String(required=True)
    order_id = fields.String(required=True)
    proposal = fields.String(
        required=True, validate=validate.OneOf(["full_refund", "partial_refund", "return_and_refund", "reject"])
    )
    amount = Money(load_default=None, allow_none=True)
    agent_id = fields.String(required=True)
    proposed_at = fields.AwareDateTime(required=True)


class DisputeEscalated(Schema):
    dispute_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_no = fields.String(required=True)
    customer_id = fields.String(required=True)
    reason = fields.String(
        required=True, metadata={"description": "no_seller_response, window_elapsed or requested (by buyer/shop)"}
    )
    escalated_at = fields.AwareDateTime(required=True, metadata={"description": "shop time"})


CONTRACTS = contracts(
    Contract("ticket.opened", TicketOpened, description="a ticket entered the shop's service queue"),
    Contract("ticket.assigned", TicketAssigned, description="a ticket was routed, claimed, transferred or returned"),
    Contract("ticket.status_changed", TicketStatusChanged, description="pending on buyer, reopened, back to open"),
    Contract("ticket.resolved", TicketResolved, description="an agent resolved a ticket"),
    Contract("ticket.closed", TicketClosed, description="a ticket closed, by an agent or because the world moved on"),
    Contract(
        "ticket.sla_breached", SlaBreached, description="a first-response, next-response or resolution target passed"
    ),
    Contract("message.received", MessageReceived, description="a buyer wrote on a ticket"),
    Contract("message.replied", MessageReplied, description="an agent (or the auto first reply) answered the buyer"),
    Contract("csat.rated", CsatRated, description="the buyer rated a resolved conversation 1-5"),
    Contract("dispute.proposed", DisputeProposed, description="the shop answered a dispute with a proposal"),
    Contract("dispute.escalated", DisputeEscalated, description="a dispute went to platform arbitration"),
    Contract("dispute.opened", DisputeOpened, description="a buyer opened a dispute on an order"),
    Contract("dispute.ruled", DisputeRuled, description="platform arbitration ruled on a dispute"),
)
