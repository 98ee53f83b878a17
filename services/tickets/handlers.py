"""The events the tickets service handles: the registry matches its line in shoplab.eventbus.subscriptions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets import order_tasks, routing
from services.tickets.models import Agent
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.shops import replica


def on_agent_joined(session: Session, event: Event) -> None:
    data = event.payload
    routing.join(session, data["shop_id"], data["agent_id"], data["display_name"], data.get("skills") or [])


def on_agent_status_changed(session: Session, event: Event) -> None:
    data = event.payload
    if session.get(Agent, (data["shop_id"], data["agent_id"])) is None:
        # the status change overtook agent.joined: seat the agent now, the name follows with agent.joined
        routing.join(session, data["shop_id"], data["agent_id"], data["agent_id"], [])
    routing.set_status(session, data["shop_id"], data["agent_id"], data["status"], at=event.occurred_at)


HANDLERS: dict[str, Handler] = {
    **replica.HANDLERS,
    "agent.joined": on_agent_joined,
    "agent.status_changed": on_agent_status_changed,
    **order_tasks.HANDLERS,
}
