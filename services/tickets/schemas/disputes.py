"""Disputes: the buyer's claim, the shop's proposal, the buyer's answer, escalation. Every dispute time is the
shop's clock; amounts are two-place strings on the wire and minor units inside (``Money``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.tickets.arbitration import PROPOSALS
from services.tickets.messages import MAX_BODY
from services.tickets.schemas.field_types import Body, Flattened, Id, StoredJson
from shoplab.contracts.bounded import Flag
from shoplab.contracts.money import Money
from shoplab.contracts.tickets import DISPUTE_REASONS

REASONS = DISPUTE_REASONS


def _evidence() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)


class DisputeIn(Schema):
    order_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    amount_requested = Money(required=True, positive=True)
    evidence = _evidence()
    statement = Body(load_default=None, metadata={"description": "the buyer's words, as the ticket's first message"})


class ProposalIn(Schema):
    agent_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(PROPOSALS))
    amount = Money(load_default=None, allow_none=True, metadata={"description": "partial_refund: what is offered"})
    evidence = _evidence()
    note = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))


class DecisionIn(Schema):
    accept = Flag(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))


class EscalateIn(Schema):
    by = fields.String(required=True, validate=validate.OneOf(["buyer", "shop", "instructor"]))


class ProposalOut(Schema):
    kind = fields.String(attribute="proposal_kind")
    amount = Money(attribute="proposal_amount_cents", allow_none=True)
    evidence = StoredJson(fields.String(), attribute="seller_evidence")
    note = fields.String(attribute="proposal_note", allow_none=True)
    agent_id = fields.String(attribute="proposed_by", allow_none=True)


class RulingOut(Schema):
    outcome = fields.String()
    refund_amount = Money(attribute="refund_amount_cents")
    with_return = fields.Boolean()
    reason = fields.String(attribute="ruling_reason")
    ruled_at = fields.AwareDateTime()


class DisputeOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    ticket_id = fields.String()
    order_id = fields.String()
    order_no = fields.String()
    customer_id = fields.String()
    reason = fields.String()
    amount_requested = Money(attribute="amount_requested_cents")
    currency = fields.String()
    buyer_evidence = StoredJson(fields.String())
    status = fields.String()
    opened_at = fields.AwareDateTime(metadata={"description": "shop time, like every dispute time"})
    respond_by = fields.AwareDateTime(attribute="respond_by_at")
    escalate_at = fields.AwareDateTime()
    seller_responded_at = fields.AwareDateTime(allow_none=True)
    proposal = Flattened(ProposalOut, allow_none=True, present=lambda dispute: dispute.proposal_kind)
    buyer_decision = fields.String(allow_none=True)
    escalated_at = fields.AwareDateTime(allow_none=True)
    escalation_reason = fields.String(allow_none=True)
    ruling = Flattened(RulingOut, allow_none=True, present=lambda dispute: dispute.outcome)


class DisputeQuery(Schema):
    status = fields.String(load_default=None)
