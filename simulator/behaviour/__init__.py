"""What buyers do: one registry of the steps a buyer's journey takes (planned on the agenda) and one of the reactions
to what the shop did (observations). One line per step and per kind, so the whole behaviour reads here."""

from __future__ import annotations

from collections.abc import Callable

from simulator.agenda import AgendaItem
from simulator.behaviour import aftersale, conversation, delivery, feedback, injections, payment, presale, replies
from simulator.buyer_world import BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation

Step = Callable[[BuyerWorld, Journey, AgendaItem], None]
WorldStep = Callable[[BuyerWorld, AgendaItem], None]
Reaction = Callable[[BuyerWorld, Journey, Observation], None]

WORLD_STEPS: dict[str, WorldStep] = {
    "arrive": presale.arrive,
    "inject": injections.inject,
}

STEPS: dict[str, Step] = {
    "start": presale.start,
    "ask": presale.ask,
    "revisit": presale.revisit,
    "write": conversation.write,
    "patience": replies.patience,
    "order": payment.order,
    "pay": payment.pay,
    "pay_fail": payment.pay_fail,
    "check_shipping": delivery.check_shipping,
    "check_parcel": delivery.check_parcel,
    "lost_wait": delivery.lost_wait,
    "report_problem": aftersale.report_problem,
    "claim": aftersale.claim,
    "refund_wait": aftersale.refund_wait,
    "ship_back": aftersale.ship_back,
    "open_dispute": aftersale.open_dispute,
    "answer_dispute": aftersale.answer_dispute,
    "rate": aftersale.rate,
    "confirm": feedback.confirm,
    "review": feedback.review,
    "revise": feedback.revise,
}

# What an observation is matched to a journey by: its kind's (index, field) pair.
REACTIONS: dict[str, tuple[Reaction, str, str]] = {
    "reply": (replies.on_reply, "conversation", "conversation_id"),
    "ticket_resolved": (aftersale.on_ticket_resolved, "conversation", "conversation_id"),
    "reminder": (payment.on_reminder, "order", "order_id"),
    "order_cancelled": (payment.on_order_cancelled, "order", "order_id"),
    "shipped": (delivery.on_shipped, "order", "order_id"),
    "reshipped": (delivery.on_shipped, "order", "order_id"),
    "parcel_exception": (delivery.on_parcel_exception, "order", "order_id"),
    "delivered": (delivery.on_delivered, "order", "order_id"),
    "refund_decided": (aftersale.on_refund_decided, "order", "order_id"),
    "refunded": (aftersale.on_refunded, "order", "order_id"),
    "dispute_proposed": (aftersale.on_dispute_proposed, "order", "order_id"),
    "dispute_ruled": (aftersale.on_dispute_ruled, "order", "order_id"),
    "review_contact": (feedback.on_review_contact, "review", "ref"),
    "review_reply": (feedback.on_review_reply, "review", "ref"),
    "care_message": (feedback.on_care_message, "buyer", "buyer"),
}
