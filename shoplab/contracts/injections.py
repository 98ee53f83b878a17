"""Instructors' injections: what the gateway sends, as ``injection.<kind>``, to the service that owns the thing
injected (orders: a failed payment, a lost parcel, a customs hold; tickets: a dispute, an angry message, a flood of
pre-sale questions; reviews: a one-star review).

Every payload names the injection (its record in the gateway) and, when the instructor named one, the order; without
an order the owning service picks the newest one in the state the kind needs. Texts are written by the gateway in
the shop's buyers' language and may hold the slots ``{order_no}`` and ``{product}``, which the owning service fills
from the order it picked (``shoplab.injected_text.fill``).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts
from shoplab.contracts.orders import PAYMENT_FAILURE_REASONS
from shoplab.contracts.tickets import DISPUTE_REASONS

KINDS = (
    "dispute",
    "one_star_review",
    "lost_parcel",
    "customs_hold",
    "angry_message",
    "failed_payment",
    "presale_flood",
)
OWNERS = {
    "failed_payment": "orders",
    "lost_parcel": "orders",
    "customs_hold": "orders",
    "dispute": "tickets",
    "angry_message": "tickets",
    "presale_flood": "tickets",
    "one_star_review": "reviews",
}
LANGUAGES = ("zh", "en")


class Injected(Schema):
    injection_id = fields.String(required=True)
    order_id = fields.String(load_default=None, allow_none=True)
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    note = fields.String(load_default=None, allow_none=True)


class DisputeInjected(Injected):
    reason = fields.String(required=True, validate=validate.OneOf(DISPUTE_REASONS))


class FailedPaymentInjected(Injected):
    reason = fields.String(required=True, validate=validate.OneOf(PAYMENT_FAILURE_REASONS))


class Buyer(Schema):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AngryMessageInjected(Injected):
    buyer = fields.Nested(Buyer, required=True)  # who writes when the shop has no order yet


class Question(Buyer):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PresaleFloodInjected(Injected):
    questions = fields.List(fields.Nested(Question), required=True, validate=validate.Length(min=1, max=200))


class InjectionSkipped(Schema):
    """The owning service found nothing to act on when the injection arrived (the order moved on after the gateway
    asked, or none was named and none fits): the gateway marks its record."""

    injection_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    order_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    needed_state = fields.String(required=True)


SCHEMAS: dict[str, type[Schema]] = {
    "dispute": DisputeInjected,
    "one_star_review": Injected,
    "lost_parcel": Injected,
    "customs_hold": Injected,
    "angry_message": AngryMessageInjected,
    "failed_payment": FailedPaymentInjected,
    "presale_flood": PresaleFloodInjected,
}

CONTRACTS = contracts(
    *(
        Contract(f"injection.{kind}", SCHEMAS[kind], description=f"an instructor injected {kind} ({OWNERS[kind]})")
        for kind in KINDS
    ),
    Contract("injection.skipped", InjectionSkipped, description="an injection's owner found no order to act on"),
)
