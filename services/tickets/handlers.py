"""The events the tickets service handles: its whole registry, one line per subscribed type (the topology table's
``tickets`` entry). Handlers are thin: they build the shop's context when they need one and call the rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets import agents, care_tasks, flagged_orders, injections, order_tasks, review_tasks
from services.tickets.models import Agent
from services.tickets.policy import context_and_policy
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.shops import replica


def on_agent_joined(session: Session, event: Event) -> None:
    """A student got a seat; the seat is kept even if the shop's copy has not arrived yet."""
    data = event.payload
    agents.join(
        session, data["shop_id"], data["agent_id"], data["display_name"], data.get("skills") or [], event.occurred_at
    )


def on_agent_status_changed(session: Session, event: Event) -> None:
    """Online, away or offline, as of the moment it happened (routing hands work out at that moment)."""
    data = event.payload
    ctx, policy = context_and_policy(session, data["shop_id"], wall_now=event.occurred_at)
    if session.get(Agent, (data["shop_id"], data["agent_id"])) is None:
        # the status change overtook agent.joined: seat the agent now, the name follows with agent.joined
        agents.join(session, data["shop_id"], data["agent_id"], data["agent_id"], [], event.occurred_at)
    agents.set_status(session, ctx, policy, data["agent_id"], data["status"])


def on_dispute_injected(session: Session, event: Event) -> None:
    injections.inject_dispute(session, *context_and_policy(session, event.shop_id or ""), event.payload)


def on_angry_message_injected(session: Session, event: Event) -> None:
    injections.inject_angry_message(session, *context_and_policy(session, event.shop_id or ""), event.payload)


def on_presale_flood_injected(session: Session, event: Event) -> None:
    injections.inject_presale_flood(session, *context_and_policy(session, event.shop_id or ""), event.payload)


HANDLERS: dict[str, Handler] = {
    "shop.opened": replica.on_shop_opened,
    "shop.clock_changed": replica.on_shop_clock_changed,
    "agent.joined": on_agent_joined,
    "agent.status_changed": on_agent_status_changed,
    "order.placed": order_tasks.on_order_placed,
    "order.paid": order_tasks.on_order_paid,
    "order.cancelled": order_tasks.on_order_cancelled,
    "payment.reminder_due": order_tasks.on_reminder_due,
    "payment.reminder_sent": order_tasks.on_reminder_sent,
    "order.shipped": order_tasks.on_order_shipped,
    "shipment.exception": order_tasks.on_shipment_exception,
    "order.delivered": order_tasks.on_order_delivered,
    "refund.requested": order_tasks.on_refund_requested,
    "return.requested": order_tasks.on_return_requested,
    "injection.dispute": on_dispute_injected,
    "injection.angry_message": on_angry_message_injected,
    "injection.presale_flood": on_presale_flood_injected,
    "review.posted": review_tasks.on_review_posted,
    "review.revised": review_tasks.on_review_revised,
    "review.removed": review_tasks.on_review_removed,
    "review.revision_window_closed": review_tasks.on_revision_window_closed,
    "care.task_due": care_tasks.on_care_task_due,
    "customer.flagged_order": flagged_orders.on_flagged_order,
}
