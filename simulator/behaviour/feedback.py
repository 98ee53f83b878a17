"""After delivery: confirming receipt, the review whose stars follow the journey, revising a bad review when the shop
gets in touch well, and answering care messages (CRM)."""

from __future__ import annotations

from datetime import timedelta

from simulator import decisions
from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.assessment import assess
from simulator.behaviour.conversation import plan_write
from simulator.buyer_world import REFUSED, BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation


def confirm(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    facts, buyer = journey.order, journey.buyer
    if facts is None or journey.experience.solved is False or "confirmed" in journey.flags:
        return
    confirmed = world.act(journey, "confirm_receipt", item.due, lambda: world.port.confirm_receipt(buyer, facts.id))
    if confirmed is not REFUSED:
        journey.flags.add("confirmed")


def review(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: stars from what the buyer went through; the bad ones are more often written."""
    facts = journey.order
    if facts is None or journey.review_id is not None or "no_review" in journey.flags:
        return
    persona, buyer = world.persona(journey), journey.buyer
    stars, scores = decisions.review_scores(persona, journey.experience, world.seed, buyer, journey.id, "stars")
    if not world.chance(decisions.review_probability(persona, stars, world.profile), journey, "review"):
        journey.flags.add("no_review")
        world.record(journey, "no_review", item.due, stars=stars)
        return
    category = journey.product.category if journey.product else "_any"
    text = bank.review_text(
        persona.language, stars, category, journey.slots(persona.language), world.seed, buyer, journey.id
    )
    sku = facts.view.lines[0].sku
    posted = world.act(
        journey,
        "review",
        item.due,
        lambda: world.port.post_review(buyer, facts.id, sku, stars=stars, scores=scores, text=text),
        stars=stars,
        **scores,
    )
    if posted is REFUSED:
        return
    journey.review_id, journey.review_stars, journey.review_posted_at = posted, stars, item.due
    world.remember("review", posted, journey)
    if stars >= 4 and world.chance(world.propensity(journey, "repurchase"), journey, "repurchase"):
        world.plan(journey, "revisit", world.delay(item.due, "repurchase_days", journey), new_journey=f"{journey.id}r")


def on_review_contact(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """The shop got in touch about the buyer's review (中差评 follow-up): revise it, perhaps."""
    journey.contacts += 1
    solved = journey.experience.solved is not False
    context = world.context(journey, "review_contact", facts_due=("order",), apology_due=True, solution_due=not solved)
    assessment = assess(obs.text, context)
    world.keep_reply(journey, "review_contact", obs, None, assessment)
    stars = journey.review_stars
    if stars is None or journey.revised or stars >= world.profile["reviews"]["positive_min_stars"]:
        world.record(journey, "review_contact_read", obs.at, score=round(assessment.score, 2))
        return
    posted = journey.review_posted_at
    window = timedelta(days=world.profile["reviews"]["revise_window_days"])
    probability, _factors = decisions.revise_probability(world.persona(journey), assessment, solved)
    revises = (
        posted is not None
        and obs.at <= posted + window
        and world.chance(probability, journey, "revise", journey.contacts)
    )
    world.record(
        journey, "review_contact_read", obs.at, score=round(assessment.score, 2), p=probability, revises=revises
    )
    if revises:
        world.plan(
            journey,
            "revise",
            world.delay(obs.at, "revise_after_contact_hours", journey, journey.contacts),
            stars=decisions.revised_stars(stars),
        )


def revise(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    if journey.review_id is None or journey.revised:
        return
    persona, buyer, review_id, stars = world.persona(journey), journey.buyer, journey.review_id, item.payload["stars"]
    text = bank.message(persona.language, ("revised",), {}, world.seed, buyer, journey.id)
    scores = {"as_described": stars, "service": stars, "logistics": stars}

    def send() -> None:
        world.port.revise_review(buyer, review_id, stars=stars, scores=scores, text=text)

    if world.act(journey, "revise_review", item.due, send, stars=stars) is not REFUSED:
        journey.revised, journey.review_stars = True, stars


def on_review_reply(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """The shop's public reply to the review: read and kept for grading; the revision follows a contact."""
    context = world.context(
        journey,
        "review_contact",
        facts_due=("order",),
        apology_due=journey.review_stars is not None and journey.review_stars < 4,
    )
    assessment = assess(obs.text, context)
    world.keep_reply(journey, "review_contact", obs, None, assessment)
    world.record(journey, "review_reply_read", obs.at, score=round(assessment.score, 2))


def on_care_message(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """A care message (关怀, a holiday greeting): the buyer may answer it, and may come back to buy. A care message
    that came in a conversation (the shop's care item) is answered there; one without (the in-memory desk) opens a
    pre-sale conversation."""
    journey.contacts += 1
    assessment = assess(obs.text, world.context(journey, "care"))
    world.keep_reply(journey, "care", obs, None, assessment)
    persona = world.persona(journey)
    world.record(journey, "care_read", obs.at, score=round(assessment.score, 2))
    purpose = "pre_sale"
    if obs.conversation_id:
        journey.conversation_id, journey.conversation_kind = obs.conversation_id, "care"
        world.remember("conversation", obs.conversation_id, journey)  # the shop's replies there are this journey's
        purpose = "care"
    if world.chance(
        persona.propensity("answer_care") * (0.3 + 0.7 * assessment.score), journey, "answer_care", journey.contacts
    ):
        journey.purpose = purpose
        plan_write(
            world,
            journey,
            world.delay(obs.at, "answer_care_wall_seconds", journey, journey.contacts),
            ("care_answer",),
            purpose,
            wait=False,
        )
    probability = decisions.care_repurchase_probability(persona, assessment)
    if world.chance(probability, journey, "care_repurchase", journey.contacts):
        world.plan(
            journey,
            "revisit",
            world.delay(obs.at, "repurchase_days", journey, "care"),
            new_journey=f"{journey.id}-{journey.contacts}",
        )
