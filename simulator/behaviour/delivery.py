"""Waiting for the parcel: asking when the order ships, where the parcel is, reacting to exceptions and delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator import randomness as rnd
from simulator.agenda import AgendaItem
from simulator.behaviour.conversation import plan_write
from simulator.buyer_world import BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation
from simulator.reference_data import behaviour

LOST = ("lost", "returned_to_sender")
MESSAGE_OF_EXCEPTION = {"lost": "parcel_lost", "returned_to_sender": "parcel_lost", "customs_hold": "parcel_held"}


def check_shipping(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: past the promised handling time, a buyer who tracks asks when the order ships."""
    facts = journey.order
    if facts is None or facts.shipped_at or facts.cancelled or journey.over:
        return
    if world.chance(world.propensity(journey, "track"), journey, "ask_not_shipped"):
        plan_write(world, journey, item.due, ("not_shipped",), "order")


def on_shipped(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    facts = journey.order
    if facts is None:
        return
    reshipped = obs.kind == "reshipped"
    if reshipped:
        journey.flags.add("reshipped")
    else:
        facts.shipped_at = obs.at
    facts.carrier = obs.facts.get("carrier")
    facts.tracking_no = obs.facts.get("tracking_no")
    facts.expected_by = obs.facts.get("expected_by")
    journey.state = "shipped"
    world.record(journey, "reshipment_seen" if reshipped else "shipment_seen", obs.at, late=bool(obs.facts.get("late")))
    if facts.expected_by is not None:
        grace = timedelta(hours=behaviour()["timing"]["late_parcel_grace_hours"])
        world.plan(journey, "check_parcel", facts.expected_by + grace, check=1)


def check_parcel(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: the parcel is late: track it, ask where it is; after a second late check, ask for the money back."""
    facts = journey.order
    if facts is None or facts.delivered_at or journey.over:
        return
    check = item.payload["check"]
    if item.due < (facts.expected_by or item.due):
        return  # a reshipment moved the promise: a newer check is planned
    buyer = journey.buyer
    world.act(journey, "track", item.due, lambda: world.port.track(buyer, facts.id))
    if world.chance(world.propensity(journey, "track"), journey, "late_parcel", check):
        plan_write(world, journey, item.due, ("where_is_parcel",), "logistics")
    wait = timedelta(hours=behaviour()["timing"]["after_sale_wait_hours"])
    if check >= 2 and journey.refund_id is None and journey.dispute_id is None:
        _not_received(world, journey, item.due)
    else:
        world.plan(journey, "check_parcel", item.due + wait, check=check + 1)


def on_parcel_exception(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    kind = str(obs.facts.get("kind"))
    journey.experience.parcel_exception = kind
    world.record(journey, "parcel_exception_seen", obs.at, kind=kind)
    if kind == "damaged":
        journey.flags.add("damaged")  # found when the parcel is opened
        return
    if kind in LOST or world.chance(world.propensity(journey, "track"), journey, "exception", kind):
        when = world.delay(obs.at, "exception_notice_hours", journey, kind)
        plan_write(world, journey, when, (MESSAGE_OF_EXCEPTION.get(kind, "parcel_delay"),), "logistics")
    if kind in LOST:
        wait = timedelta(hours=behaviour()["timing"]["after_sale_wait_hours"])
        world.plan(journey, "lost_wait", obs.at + wait)


def lost_wait(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: a lost parcel neither reshipped nor refunded by now: ask for the money back."""
    facts = journey.order
    if facts is None or facts.delivered_at or journey.refund_id or journey.dispute_id:
        return
    if "reshipped" in journey.flags:
        return
    _not_received(world, journey, item.due)


def _not_received(world: BuyerWorld, journey: Journey, at: datetime) -> None:
    journey.experience.problem = "not_received"
    journey.experience.solved = False
    if world.chance(world.propensity(journey, "return"), journey, "claim_not_received"):
        world.plan(journey, "claim", at, problem="not_received")


def on_delivered(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """Delivered: late or not, with something wrong or not; then confirm, complain, return, review."""
    facts = journey.order
    if facts is None or facts.delivered_at:
        return
    facts.delivered_at = obs.at
    journey.state = "delivered"
    if facts.shipped_at and facts.expected_by and facts.expected_by > facts.shipped_at:
        journey.experience.late_ratio = round((obs.at - facts.shipped_at) / (facts.expected_by - facts.shipped_at), 3)
    if journey.experience.problem == "not_received" and not journey.refund_decided:
        journey.experience.solved = True  # it came after all
    world.record(journey, "delivery_seen", obs.at, late_ratio=journey.experience.late_ratio)
    problem = _problem(world, journey)
    if problem and world.chance(world.propensity(journey, "return"), journey, "return"):
        world.plan(journey, "report_problem", world.delay(obs.at, "notice_problem_hours", journey), problem=problem)
        return
    if problem:
        journey.experience.problem = problem
        journey.experience.solved = False  # lives with it, and says so in the review
    elif world.profile["no_reason_return_days"] > 0 and world.chance(
        world.propensity(journey, "changed_mind"), journey, "changed_mind"
    ):
        world.plan(
            journey, "report_problem", world.delay(obs.at, "notice_problem_hours", journey), problem="changed_mind"
        )
        return
    world.plan(journey, "confirm", world.delay(obs.at, "confirm_receipt_hours", journey))
    world.plan(journey, "review", world.delay(obs.at, "review_after_delivery_hours", journey))


def _problem(world: BuyerWorld, journey: Journey) -> str | None:
    if "damaged" in journey.flags:
        return "damaged"
    if not world.chance(world.scenario.level("problem"), journey, "problem"):
        return None
    problems = behaviour()["problems"]
    category = journey.product.category if journey.product else "_any"
    return rnd.weighted(problems.get(category, problems["_any"]), world.seed, journey.buyer, journey.id, "problem_kind")
