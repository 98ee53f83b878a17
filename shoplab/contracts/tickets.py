"""Events the tickets service publishes. Other services read these; add fields freely, rename or remove none."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts
from shoplab.contracts.orders import Money


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


CONTRACTS = contracts(
    Contract("dispute.opened", DisputeOpened, description="a buyer opened a dispute on an order"),
    Contract("dispute.ruled", DisputeRuled, description="platform arbitration ruled on a dispute"),
)
