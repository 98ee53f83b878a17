"""Writing to the shop and waiting for its answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.buyer_world import REFUSED, BuyerWorld
from simulator.journey import Journey

# The conversation kind a buyer writes in for a purpose (the tickets service's kinds); else "order" about an order.
# A care item is the shop's to open: a buyer answering one whose conversation is closed asks a pre-sale question.
KIND_OF_PURPOSE = {"pre_sale": "pre_sale", "complaint": "complaint", "care": "care"}
OPENED_AS = {"care": "pre_sale"}


def say(world: BuyerWorld, journey: Journey, at: datetime, text: str, action: str, **detail: Any) -> bool:
    """Send ``text`` in the journey's conversation on the same subject, or open one (about the order, or pre-sale);
    a conversation the shop has closed takes no more messages, so the buyer opens a new one."""
    buyer, port = journey.buyer, world.port
    order_id = journey.order.id if journey.order else None
    kind = KIND_OF_PURPOSE.get(journey.purpose, "order" if order_id else "pre_sale")
    if journey.conversation_id and journey.conversation_kind == kind:
        conversation = journey.conversation_id
        sent = world.act(journey, action, at, lambda: port.write_message(buyer, conversation, text), **detail)
        if sent is not REFUSED:
            return True
    language = world.persona(journey).language
    kind = OPENED_AS.get(kind, kind)
    opened = world.act(
        journey,
        action,
        at,
        lambda: port.open_conversation(buyer, text, language, kind=kind, order_id=order_id),
        **detail,
    )
    if opened is REFUSED:
        return False
    journey.conversation_id, journey.conversation_kind = opened, kind
    world.remember("conversation", opened, journey)
    return True


def wait_for_answer(world: BuyerWorld, journey: Journey, at: datetime, purpose: str) -> None:
    """The buyer waits for an answer to their message: their patience runs from now (people's time)."""
    journey.waiting = True
    journey.purpose = purpose
    patience = world.persona(journey).patience_seconds
    world.plan(journey, "patience", world.after_wall(at, patience), round=journey.round, nudges=journey.nudges)


def write(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: write a text of the bank (``path``) about ``purpose``; wait for an answer if ``wait``."""
    path = tuple(item.payload["path"])
    purpose = item.payload.get("purpose", journey.purpose)
    language = world.persona(journey).language
    text = bank.message(language, path, journey.slots(language), world.seed, journey.buyer, journey.id, item.seq)
    journey.purpose = purpose
    if say(world, journey, item.due, text, "write", topic="/".join(map(str, path))) and item.payload.get("wait"):
        wait_for_answer(world, journey, item.due, purpose)


def plan_write(
    world: BuyerWorld, journey: Journey, at: datetime, path: tuple[str, ...], purpose: str, wait: bool = True
) -> None:
    world.plan(journey, "write", at, path=path, purpose=purpose, wait=wait)


def next_local_morning(world: BuyerWorld, journey: Journey, at: datetime, hour: int = 8) -> datetime:
    """The buyer's next ``hour`` o'clock in their own time zone: when a sleeping buyer reads a night message."""
    local = world.persona(journey).local_time(at)
    morning = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.astimezone(at.tzinfo)
