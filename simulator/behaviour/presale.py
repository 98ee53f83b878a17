"""Arriving, browsing, asking before buying, and deciding to order after the shop's answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator import decisions
from simulator import randomness as rnd
from simulator import text_bank as bank
from simulator.agenda import AgendaItem
from simulator.arrivals import arriving_buyer, next_arrival
from simulator.assessment import Assessment
from simulator.behaviour.conversation import say, wait_for_answer
from simulator.buyer_world import BuyerWorld
from simulator.journey import Journey
from simulator.port import Observation, Product


def arrive(world: BuyerWorld, item: AgendaItem) -> None:
    """World step: arrival ``index`` of the order-rate curve; plans the next one."""
    index = item.payload["index"]
    buyer = arriving_buyer(world.seed, index, sorted(world.personas))
    journey = world.open_journey(f"j{index:05d}", buyer, item.due)
    world.plan(journey, "start", item.due)
    plan_next_arrival(world, index + 1, item.due)


def plan_next_arrival(world: BuyerWorld, index: int, after: datetime) -> None:
    offset = next_arrival(world.curve, world.seed, index, (after - world.start).total_seconds())
    if offset is not None:
        world.plan_world("arrive", world.start + timedelta(seconds=offset), f"arrival{index}", index=index)


def revisit(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: the buyer comes back for another purchase (after a good journey or a good care message)."""
    again = world.open_journey(item.payload["new_journey"], journey.buyer, item.due)
    world.plan(again, "start", item.due)


def start(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: browse the catalog, choose a product, then ask about it or order it."""
    products = world.products(journey.buyer)
    world.record(journey, "browse", item.due)
    if not products:
        journey.state = "left"
        return
    journey.product = choose_product(world, journey, products)
    asks = journey.mode == "ask" or (
        journey.mode == "browse" and world.chance(world.propensity(journey, "ask"), journey, "ask")
    )
    world.plan(journey, "ask" if asks else "order", world.delay(item.due, "browse_minutes", journey))


def choose_product(world: BuyerWorld, journey: Journey, products: tuple[Product, ...]) -> Product:
    """Price-sensitive buyers lean towards cheaper products: weight = price ^ -sensitivity."""
    sensitivity = world.persona(journey).price_sensitivity
    weights = {product.id: max(float(product.price), 0.01) ** -sensitivity for product in products}
    chosen = rnd.weighted(weights, world.seed, journey.buyer, journey.id, "product")
    return next(product for product in products if product.id == chosen)


def ask(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: a pre-sale question about the product, from the bank of its category."""
    if journey.over or journey.product is None:
        return
    language = world.persona(journey).language
    question = bank.question(
        language,
        journey.product.category,
        journey.slots(language),
        world.seed,
        journey.buyer,
        journey.id,
        journey.questions_asked,
    )
    journey.question = question
    journey.questions_asked += 1
    journey.purpose = "pre_sale"
    if say(world, journey, item.due, question.text, "ask", topic=question.topic):
        wait_for_answer(world, journey, item.due, "pre_sale")


def after_answer(
    world: BuyerWorld, journey: Journey, obs: Observation, assessment: Assessment, wait: float | None
) -> None:
    """The pre-sale question was answered: ask once more, order, or go."""
    if journey.state == "left" or journey.order is not None:
        return
    if journey.questions_asked < 2 and world.chance(world.scenario.level("follow_up_question"), journey, "follow_up"):
        world.plan(journey, "ask", world.delay(obs.at, "follow_up_wall_seconds", journey))
        return
    probability, factors = decisions.conversion_probability(
        world.persona(journey),
        wait_seconds=wait if wait is not None else 0.0,
        target_seconds=world.target_seconds,
        nudged=journey.nudges > 0,
        assessment=assessment,
    )
    if world.chance(probability, journey, "convert"):
        world.record(journey, "decide_order", obs.at, p=probability)
        world.plan(journey, "order", world.delay(obs.at, "answer_to_order_wall_seconds", journey))
    else:
        journey.state = "left"
        world.record(journey, "leave", obs.at, reason="not_convinced", p=probability)
