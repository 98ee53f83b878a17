"""When something is wrong: complaining, asking for a refund or a return, sending goods back, disputing, and rating
the conversation."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator import decisions
from simulator import randomness as rnd
from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.assessment import assess
from simulator.behaviour.conversation import plan_write, say, wait_for_answer
from simulator.buyer_world import REFUSED, BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation
from simulator.reference_data import behaviour


def report_problem(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: tell the shop what is wrong, then ask for the money back (with the goods, if they go back)."""
    problem = item.payload["problem"]
    journey.experience.problem = problem
    journey.experience.solved = False
    language = world.persona(journey).language
    text = bank.message(
        language, ("problem", problem), journey.slots(language), world.seed, journey.buyer, journey.id, "problem"
    )
    journey.purpose = "after_sale"
    if say(world, journey, item.due, text, "report_problem", problem=problem):
        wait_for_answer(world, journey, item.due, "after_sale")
    claim(world, journey, item)


def claim(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: ask for a full refund (``return_and_refund`` when the goods go back)."""
    facts = journey.order
    problem = item.payload["problem"]
    if facts is None or journey.refund_id or journey.dispute_id:
        return
    rules = behaviour()
    reason = rules["refund_reason"][problem]
    kind = "return_and_refund" if problem in rules["return_goods"] else "refund_only"
    language, buyer = world.persona(journey).language, journey.buyer
    note = bank.message(
        language,
        ("problem", problem) if problem != "not_received" else ("dispute", "not_received"),
        journey.slots(language),
        world.seed,
        buyer,
        journey.id,
        "refund_note",
    )
    refund = world.act(
        journey,
        "request_refund",
        item.due,
        lambda: world.port.request_refund(buyer, facts.id, kind=kind, reason=reason, note=note),
        kind=kind,
        reason=reason,
    )
    if refund is REFUSED:
        return
    journey.refund_id = refund
    world.remember("refund", refund, journey)
    world.plan(journey, "refund_wait", item.due + timedelta(hours=rules["timing"]["after_sale_wait_hours"]))


def refund_wait(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: no decision on the refund yet: say so, and maybe go to the platform."""
    if journey.refund_decided or journey.experience.solved or journey.dispute_id:
        return
    plan_write(world, journey, item.due, ("refund_waiting",), "after_sale", wait=False)
    if world.chance(decisions.dispute_probability_when_ignored(world.persona(journey)), journey, "dispute_ignored"):
        world.plan(journey, "open_dispute", item.due)


def on_refund_decided(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    journey.refund_decided = True
    decision = obs.facts.get("decision")
    note = None
    if obs.text:
        context = world.context(journey, "refund_decision", facts_due=("order",), apology_due=decision == "rejected")
        note = assess(obs.text, context)
        world.keep_reply(journey, "refund_decision", obs, None, note)
    world.record(journey, "refund_decision_seen", obs.at, decision=decision)
    if decision == "approved":
        return_id = obs.facts.get("return_id")
        if return_id:
            journey.return_id = return_id
            world.remember("return", return_id, journey)
            world.plan(journey, "ship_back", world.delay(obs.at, "ship_back_hours", journey))
        return
    probability = decisions.dispute_probability_after_rejection(world.persona(journey), note)
    if world.chance(probability, journey, "dispute_after_rejection"):
        plan_write(world, journey, obs.at, ("rejected_unhappy",), "after_sale", wait=False)
        world.plan(journey, "open_dispute", world.delay(obs.at, "answer_proposal_hours", journey))
    else:
        world.plan(journey, "review", world.delay(obs.at, "review_after_delivery_hours", journey))


def ship_back(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    facts, buyer = journey.order, journey.buyer
    if facts is None or journey.return_id is None:
        return
    carrier = rnd.pick(world.profile["carriers"], world.seed, buyer, journey.id, "return_carrier")
    number = "".join(str(int(rnd.draw(world.seed, buyer, journey.id, "return_no", i) * 10)) for i in range(12))
    return_id = journey.return_id
    world.act(journey, "ship_back", item.due, lambda: world.port.ship_back(buyer, facts.id, return_id, carrier, number))


def on_refunded(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    journey.experience.solved = True
    world.record(journey, "refund_seen", obs.at)
    if journey.review_id is None and journey.order and journey.order.delivered_at:
        world.plan(journey, "review", world.delay(obs.at, "review_after_delivery_hours", journey, "refunded"))


def escalate(world: BuyerWorld, journey: Journey, at: datetime) -> None:
    """A complaint about a paid order the shop leaves unanswered may go to the platform."""
    facts = journey.order
    if facts is None or not facts.paid or journey.dispute_id:
        return
    if world.chance(world.propensity(journey, "dispute"), journey, "escalate", journey.round):
        world.plan(journey, "open_dispute", at)


def open_dispute(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    facts, buyer = journey.order, journey.buyer
    if facts is None or journey.dispute_id or journey.experience.solved:
        return
    problem = journey.experience.problem or "other"
    reason = item.payload.get("reason") or behaviour()["refund_reason"].get(problem, "other")
    if reason == "changed_mind":
        return  # no platform takes a case for a change of mind
    language = world.persona(journey).language
    statement = bank.message(language, ("dispute", reason), journey.slots(language), world.seed, buyer, journey.id)
    dispute = world.act(
        journey,
        "open_dispute",
        item.due,
        lambda: world.port.open_dispute(buyer, facts.id, reason=reason, amount=facts.view.total, statement=statement),
        reason=reason,
    )
    if dispute is not REFUSED:
        journey.dispute_id = dispute
        journey.experience.disputed = True
        world.remember("dispute", dispute, journey)


def on_dispute_proposed(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    facts = journey.order
    proposal = str(obs.facts.get("proposal"))
    if obs.text:
        context = world.context(journey, "dispute_proposal", facts_due=("order",), apology_due=True, solution_due=True)
        world.keep_reply(journey, "dispute_proposal", obs, None, assess(obs.text, context))
    asked = float(facts.view.total) if facts else 0.0
    accept = decisions.accepts_proposal(world.persona(journey), proposal, float(obs.facts.get("amount") or 0), asked)
    world.record(journey, "proposal_seen", obs.at, proposal=proposal, accept=accept)
    world.plan(journey, "answer_dispute", world.delay(obs.at, "answer_proposal_hours", journey, obs.ref), accept=accept)


def answer_dispute(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    accept, buyer, dispute = item.payload["accept"], journey.buyer, journey.dispute_id
    if dispute is None:
        return
    language = world.persona(journey).language
    note = bank.message(
        language, ("dispute_answer", "accept" if accept else "reject"), {}, world.seed, buyer, journey.id
    )
    world.act(
        journey,
        "answer_dispute",
        item.due,
        lambda: world.port.answer_dispute(buyer, dispute, accept=accept, note=note),
        accept=accept,
    )


def on_dispute_ruled(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    outcome = obs.facts.get("outcome")
    journey.experience.solved = outcome in ("buyer", "split") or journey.experience.solved is True
    world.record(journey, "ruling_seen", obs.at, outcome=outcome)
    if journey.review_id is None and journey.order and journey.order.delivered_at:
        world.plan(journey, "review", world.delay(obs.at, "review_after_delivery_hours", journey, "ruled"))


def on_ticket_resolved(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    conversation = obs.conversation_id
    if f"rated:{conversation}" in journey.flags:
        return
    if world.chance(world.propensity(journey, "rate"), journey, "rate", conversation):
        journey.flags.add(f"rated:{conversation}")
        world.plan(
            journey,
            "rate",
            world.delay(obs.at, "rate_after_resolve_wall_seconds", journey, conversation),
            conversation=conversation,
        )


def rate(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    persona, buyer, conversation = world.persona(journey), journey.buyer, item.payload["conversation"]
    score = decisions.csat_score(
        persona, journey.experience, world.target_seconds, world.seed, buyer, journey.id, "csat", conversation
    )
    band = "low" if score <= 2 else ("mid" if score == 3 else "high")
    comment = bank.message(persona.language, ("csat", band), {}, world.seed, buyer, journey.id, "csat")
    world.act(
        journey,
        "rate",
        item.due,
        lambda: world.port.rate_conversation(buyer, conversation, score, comment),
        score=score,
    )
