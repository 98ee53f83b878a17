"""Reading the shop's answers and running out of patience.

A reply is assessed against what the buyer knows (``simulator.assessment``) whenever it comes, and kept for grading.
The round's first human answer moves the journey on; an answer that came after the buyer's patience ran out finds
them already nudging, complaining or gone, because the patience step runs at its own moment, before any later reply.
"""

from __future__ import annotations

from typing import Any

from simulator import decisions
from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.assessment import Assessment, assess
from simulator.behaviour.aftersale import escalate
from simulator.behaviour.conversation import say
from simulator.behaviour.presale import after_answer
from simulator.buyer_world import BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation
from simulator.reference_data import behaviour


def patience(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: the buyer's patience ran out for this round, unless it was answered in time."""
    if not journey.waiting or journey.state == "left":
        return
    if item.payload["round"] != journey.round or item.payload["nudges"] != journey.nudges:
        return
    persona = world.persona(journey)
    action = decisions.impatience_action(
        persona, world.seed, journey.buyer, journey.id, "impatient", journey.round, journey.nudges
    )
    if action == "nudge" and journey.nudges >= behaviour()["timing"]["max_nudges"]:
        action = "leave"
    if action == "nudge":
        text = bank.message(persona.language, ("nudge",), {}, world.seed, journey.buyer, journey.id, journey.nudges)
        journey.nudges += 1
        if say(world, journey, item.due, text, "nudge"):
            world.plan(
                journey,
                "patience",
                world.after_wall(item.due, persona.patience_seconds),
                round=journey.round,
                nudges=journey.nudges,
            )
        return
    if action == "complain":
        text = bank.message(persona.language, ("complaint_wait",), {}, world.seed, journey.buyer, journey.id)
        journey.flags.add("complained")
        say(world, journey, item.due, text, "complain")
    if journey.order is None:
        journey.state = "left"
        world.record(journey, "leave", item.due, reason=f"kept_waiting_{action}")
    elif action == "complain":
        escalate(world, journey, item.due)
    else:
        world.record(journey, "stop_waiting", item.due)  # an order keeps them: they still read a late answer


def on_reply(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """The shop answered in the buyer's conversation."""
    if obs.facts.get("auto"):
        world.record(journey, "auto_reply_seen", obs.at)
        return
    wait = obs.facts.get("wall_delay_seconds")
    purpose = journey.purpose
    context = world.context(journey, purpose, round_index=journey.round, **_due(journey))
    assessment = assess(obs.text, context)
    world.keep_reply(journey, purpose, obs, wait, assessment)
    if not journey.waiting:
        world.record(journey, "reply_read", obs.at, score=round(assessment.score, 2))
        return
    journey.waiting = False
    _experience(world, journey, wait, assessment)
    journey.round += 1
    late = wait is not None and wait > world.persona(journey).patience_seconds
    world.record(journey, "answer_read", obs.at, purpose=purpose, score=round(assessment.score, 2), late=late)
    if purpose == "pre_sale":
        after_answer(world, journey, obs, assessment, wait)
    journey.nudges = 0


def _experience(world: BuyerWorld, journey: Journey, wait: float | None, assessment: Assessment) -> None:
    experience = journey.experience
    if wait is not None:
        if experience.first_reply_seconds is None:
            experience.first_reply_seconds = wait
        experience.rounds_answered += 1
        if wait > world.target_seconds:
            experience.rounds_over_target += 1
        if wait > world.persona(journey).patience_seconds:
            experience.rounds_over_patience += 1
    if assessment.failed("apology"):
        experience.apology_missing = True


def _due(journey: Journey) -> dict[str, Any]:
    """What a reply about the journey's purpose should hold (the rubric's items that apply)."""
    purpose = journey.purpose
    kept_waiting = journey.nudges > 0 or "complained" in journey.flags
    order = journey.order
    if purpose == "pre_sale":
        question = journey.question
        return {
            "expects": question.expects if question else (),
            "question_topic": question.topic if question else None,
            "apology_due": kept_waiting,
        }
    if purpose == "care":  # small talk after a care message: nothing to solve, nothing to apologise for
        return {"apology_due": kept_waiting}
    if order is not None and not order.paid:
        return {"facts_due": ("order",), "failure_reason": order.failure_reason, "apology_due": kept_waiting}
    facts = ("tracking",) if purpose == "logistics" and order and order.tracking_no else ("order",)
    return {"facts_due": facts if order else (), "apology_due": True, "solution_due": True}
