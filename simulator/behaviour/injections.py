"""Scripted injections: the scenario makes something happen in the shop at a given time.

The simulator chooses the target among its own journeys (the first one, in journey order, in the state the kind
needs) and writes the content (a realistic text in the buyer's language, from the bank), so every shop of a class gets
the same injection wherever the students' actions allow it; where no journey is in that state the injection is
recorded as skipped. It then goes to the shop through ``port.inject`` (on the real stack: the gateway's route for the
run, which records it as the run's and sends it on as ``injection.*``), and the buyer concerned carries on from there
when the port names what was created (a conversation the buyer waits on; on the real stack the owner creates it
through the bus after the gateway's answer, so there the buyer does not follow up on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from simulator import randomness as rnd
from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.behaviour.conversation import wait_for_answer
from simulator.behaviour.payment import payment_failed_by_injection
from simulator.behaviour.presale import choose_product
from simulator.buyer_world import REFUSED, BuyerWorld
from simulator.journey import Journey
from simulator.port import Injection
from simulator.scenario import InjectionSpec


def inject(world: BuyerWorld, item: AgendaItem) -> None:
    """World step: the scenario's injection number ``index``."""
    index = item.payload["index"]
    spec = world.scenario.injections[index]
    INJECTORS[spec.kind](world, spec, index, item.due)


def _first(world: BuyerWorld, spec: InjectionSpec, wanted: Callable[[Journey], bool]) -> Journey | None:
    buyer = spec.params.get("buyer")
    for journey_id in sorted(world.journeys):
        journey = world.journeys[journey_id]
        if (buyer is None or journey.buyer == buyer) and wanted(journey):
            return journey
    return None


def _send(
    world: BuyerWorld, spec: InjectionSpec, journey: Journey | None, injection: Injection, at: datetime
) -> dict[str, str] | None:
    """Inject through the port as the journey's buyer; None when skipped (no journey in the needed state) or
    refused. The scenario's note travels with it, for the instructor who reads the shop's injections."""
    injection = replace(injection, note=spec.params.get("note"))
    if journey is None:
        world.record(None, "injection_skipped", at, kind=injection.kind, reason="no journey in the needed state")
        return None
    refs = world.act(journey, "injected", at, lambda: world.port.inject(injection), kind=injection.kind)
    return None if refs is REFUSED else dict(refs)


def dispute(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    journey = _first(
        world,
        spec,
        lambda j: bool(j.order and j.order.paid and not j.order.cancelled and j.order.shipped_at and not j.dispute_id),
    )
    if journey is None:
        _send(world, spec, None, Injection(kind="dispute"), at)
        return
    facts = journey.order
    reason = spec.params.get("reason") or ("not_as_described" if facts.delivered_at else "not_received")
    language = world.persona(journey).language
    text = bank.message(language, ("dispute", reason), journey.slots(language), world.seed, "injection", index)
    refs = _send(
        world,
        spec,
        journey,
        Injection(
            kind="dispute",
            buyer=journey.buyer,
            order_id=facts.id,
            text=text,
            language=language,
            reason=reason,
            amount=facts.view.total,
        ),
        at,
    )
    if refs is not None:
        journey.dispute_id = refs.get("dispute_id")
        world.remember("dispute", journey.dispute_id, journey)
        journey.experience.disputed = True
        journey.experience.problem = journey.experience.problem or reason
        journey.experience.solved = False


def one_star_review(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    journey = _first(world, spec, lambda j: bool(j.order and j.order.delivered_at and j.review_id is None))
    if journey is None:
        _send(world, spec, None, Injection(kind="one_star_review"), at)
        return
    language = world.persona(journey).language
    category = journey.product.category if journey.product else "_any"
    text = bank.one_star_text(language, category, journey.slots(language), world.seed, "injection", index)
    refs = _send(
        world,
        spec,
        journey,
        Injection(
            kind="one_star_review",
            buyer=journey.buyer,
            order_id=journey.order.id,
            sku=journey.order.view.lines[0].sku,
            text=text,
            language=language,
            stars=1,
        ),
        at,
    )
    if refs is not None:
        journey.review_id, journey.review_stars, journey.review_posted_at = refs.get("review_id"), 1, at
        world.remember("review", journey.review_id, journey)
        journey.experience.problem = journey.experience.problem or "quality"
        journey.experience.solved = False


def parcel(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    """lost_parcel, customs_hold: the buyer learns of it like any exception, through what the shop shows."""
    cross_border = world.profile["market"] == "cross_border"
    journey = _first(
        world,
        spec,
        lambda j: bool(
            j.order
            and j.order.shipped_at
            and not j.order.delivered_at
            and (spec.kind != "customs_hold" or cross_border)
        ),
    )
    _send(
        world,
        spec,
        journey,
        Injection(
            kind=spec.kind, buyer=journey.buyer if journey else None, order_id=journey.order.id if journey else None
        ),
        at,
    )


def angry_message(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    """The buyer of the latest journey with an order (else any journey) writes in anger and waits."""
    ordered = [j for j in world.journeys.values() if j.order and (spec.params.get("buyer") in (None, j.buyer))]
    candidates = ordered or list(world.journeys.values())
    if not candidates:
        _send(world, spec, None, Injection(kind="angry_message"), at)
        return
    journey = max(candidates, key=lambda j: j.id)
    language = world.persona(journey).language
    text = bank.message(language, ("angry",), journey.slots(language), world.seed, "injection", index)
    refs = _send(
        world,
        spec,
        journey,
        Injection(
            kind="angry_message",
            buyer=journey.buyer,
            text=text,
            language=language,
            order_id=journey.order.id if journey.order else None,
        ),
        at,
    )
    if refs is not None and refs.get("conversation_id"):  # the buyer waits on a conversation they know
        journey.conversation_id, journey.conversation_kind = refs.get("conversation_id"), "complaint"
        world.remember("conversation", journey.conversation_id, journey)
        journey.flags.add("complained")
        wait_for_answer(world, journey, at, "complaint")


def failed_payment(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    """An unpaid order's payment fails; with none unpaid, a buyer arrives whose payment will fail."""
    reason = spec.params.get("reason") or "declined"
    journey = _first(world, spec, lambda j: bool(j.order and not j.order.paid and not j.order.cancelled))
    if journey is None:
        buyer = spec.params.get("buyer") or rnd.pick(sorted(world.personas), world.seed, "injection", index)
        journey = world.open_journey(f"i{index:03d}", buyer, at, mode="order")
        journey.forced_failure = reason
        world.plan(journey, "start", at)
        world.record(journey, "injection_planned", at, kind="failed_payment", reason=reason)
        return
    refs = _send(
        world,
        spec,
        journey,
        Injection(kind="failed_payment", buyer=journey.buyer, order_id=journey.order.id, reason=reason),
        at,
    )
    if refs is not None:
        payment_failed_by_injection(world, journey, reason, at)


def presale_flood(world: BuyerWorld, spec: InjectionSpec, index: int, at: datetime) -> None:
    """``count`` buyers ask a pre-sale question at once."""
    keys = sorted(world.personas)
    chosen = rnd.stream(world.seed, "flood", index).sample(keys, min(spec.params["count"], len(keys)))
    products = world.products(chosen[0]) if chosen else ()
    journeys, messages = [], []
    for number, buyer in enumerate(chosen):
        journey = world.open_journey(f"f{index:03d}-{number:03d}", buyer, at, mode="ask")
        journey.product = choose_product(world, journey, products)
        language = world.persona(journey).language
        journey.question = bank.question(
            language, journey.product.category, journey.slots(language), world.seed, buyer, journey.id, 0
        )
        journey.questions_asked = 1
        journeys.append(journey)
        messages.append({"buyer": buyer, "text": journey.question.text, "language": language})
    refs = _send(
        world, spec, journeys[0] if journeys else None, Injection(kind="presale_flood", messages=tuple(messages)), at
    )
    for journey in journeys if refs is not None else ():
        if not refs.get(journey.buyer):
            continue  # the gateway's flood buyers asked, not this one (the real stack): nothing to wait on
        journey.conversation_id, journey.conversation_kind = refs.get(journey.buyer), "pre_sale"
        world.remember("conversation", journey.conversation_id, journey)
        world.record(journey, "ask", at, topic=journey.question.topic, injected=True)
        wait_for_answer(world, journey, at, "pre_sale")


INJECTORS: dict[str, Callable[[BuyerWorld, InjectionSpec, int, datetime], None]] = {
    "dispute": dispute,
    "one_star_review": one_star_review,
    "lost_parcel": parcel,
    "customs_hold": parcel,
    "angry_message": angry_message,
    "failed_payment": failed_payment,
    "presale_flood": presale_flood,
}
