"""Which order an injection would land on, asked before it is made: the owning service answers with the order its own
injection rule would take (``GET /shops/<shop_id>/injection-targets/<kind>?order_id=``), or 409 saying what order the
kind needs, so the gateway can refuse (one shop) or skip (a class's shop) instead of recording an injection that
would find nothing to act on.

The owner answers, not the gateway, because only the owner knows all of what makes an order fit: the orders service
whether a parcel is still in transit, the tickets service whether the order is disputed already, the reviews service
whether a line is still unreviewed and its review window open. The same rule picks the order when the event arrives,
so what the gateway was told is what happens. When the order moved on in between (paid, delivered, disputed
meanwhile), or a scenario's injection named none and none fits, the owner publishes ``injection.skipped`` and the
gateway marks the record (``skipped``): nothing is left silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from shoplab.errors import Conflict
from shoplab.eventbus.outbox import publish

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Need:
    state: str  # the order state named in the 409 (``needed_state``)
    shop_wide: str  # why a shop without a fitting order is refused
    named: str  # what a named order lacks


# the kinds that need an order; angry_message takes one when there is one, else writes as a new buyer
NEEDS: dict[str, Need] = {
    "failed_payment": Need(
        "unpaid",
        "no unpaid order in this shop (still within its time to pay) to fail a payment of",
        "an unpaid order still within its time to pay",
    ),
    "lost_parcel": Need(
        "shipped",
        "no shipped order in this shop to lose a parcel of (a parcel still in transit)",
        "a shipped order with a parcel still in transit",
    ),
    "customs_hold": Need(
        "shipped",
        "no shipped order in this shop to hold at customs (a parcel still in transit)",
        "a shipped order with a parcel still in transit",
    ),
    "dispute": Need(
        "paid",
        "no paid order in this shop to dispute (paid, not cancelled, not disputed yet)",
        "a paid order, not cancelled and not disputed yet",
    ),
    "one_star_review": Need(
        "delivered",
        "no delivered order in this shop to review (a line not reviewed yet, its review window open)",
        "a delivered order with a line not reviewed yet and its review window open",
    ),
}


@dataclass(frozen=True)
class Target:
    kind: str
    order_id: str | None
    order_no: str | None = None


class TargetQuery(Schema):
    order_id = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the instructor's order: does it fit? (else the order the rule would take)"},
    )


class TargetOut(Schema):
    kind = fields.String(required=True)
    order_id = fields.String(
        required=True, allow_none=True, metadata={"description": "null: the kind needs none (a new buyer writes)"}
    )
    order_no = fields.String(required=True, allow_none=True)


def no_target(kind: str, order_id: str | None) -> Conflict:
    """The 409 of a shop (or a named order) that offers the kind nothing to act on: it names ``order_id`` and the
    state the kind needs."""
    need = NEEDS[kind]
    message = f"order {order_id} does not fit {kind}: it needs {need.named}" if order_id else need.shop_wide
    return Conflict(message, {"order_id": [message]}, needed_state=need.state, kind=kind)


def report_skipped(session: Session, shop_id: str, kind: str, data: dict[str, Any]) -> None:
    """The owner's handler found nothing to act on: said in the log and, in the handler's transaction, to the gateway
    (``injection.skipped``), which marks the injection's record."""
    problem = no_target(kind, data["order_id"])
    log.warning("injection %s (%s) in shop %s skipped: %s", data["injection_id"], kind, shop_id, problem.message)
    payload = {"injection_id": data["injection_id"], "kind": kind, "order_id": data["order_id"],
               "reason": problem.message, "needed_state": NEEDS[kind].state}  # fmt: skip
    publish(session, "injection.skipped", shop_id=shop_id, payload=payload)
