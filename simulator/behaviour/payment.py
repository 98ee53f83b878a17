"""Ordering and paying: paying at once, forgetting, failing, paying later on one's own or after a reminder (催付)."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator import decisions
from simulator import randomness as rnd
from simulator.agenda import AgendaItem
from simulator.assessment import assess
from simulator.behaviour.conversation import next_local_morning, plan_write
from simulator.buyer_world import REFUSED, BuyerWorld
from simulator.journey import Journey, OrderFacts
from simulator.port import Injection, Observation, OrderLine
from simulator.reference_data import behaviour


def order(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: place the order, then pay at once, forget, or fail."""
    if journey.over or journey.product is None or journey.order is not None:
        return
    product, buyer = journey.product, journey.buyer
    sku = rnd.pick(product.skus, world.seed, buyer, journey.id, "sku")
    view = world.act(
        journey, "order", item.due, lambda: world.port.place_order(buyer, [OrderLine(sku)]), product=product.id
    )
    if view is REFUSED:
        journey.state = "left"
        return
    journey.order = OrderFacts(view, ordered_at=item.due)
    journey.state = "unpaid"
    world.remember("order", view.id, journey)
    paying = world.delay(item.due, "pay_after_order_minutes", journey)
    if journey.forced_failure:
        world.plan(journey, "pay_fail", paying, reason=journey.forced_failure, injected=True)
    elif world.chance(world.propensity(journey, "fail"), journey, "fail"):
        reason = rnd.weighted(behaviour()["failure_reasons"], world.seed, buyer, journey.id, "failure_reason")
        world.plan(journey, "pay_fail", paying, reason=reason, injected=False)
    elif world.chance(world.propensity(journey, "forget"), journey, "forget"):
        world.record(journey, "forget", item.due)
        plan_unprompted(world, journey, item.due)
    else:
        plan_pay(world, journey, paying, "direct")


def plan_pay(world: BuyerWorld, journey: Journey, at: datetime, cause: str) -> None:
    facts = journey.order
    if facts is None or (facts.pay_planned_at is not None and facts.pay_planned_at <= at):
        return
    facts.pay_planned_at = at
    world.plan(journey, "pay", at, cause=cause)


def plan_unprompted(world: BuyerWorld, journey: Journey, at: datetime) -> None:
    """After forgetting or a failure, some buyers come back and pay by themselves."""
    if world.chance(world.propensity(journey, "pay_unprompted"), journey, "unprompted"):
        plan_pay(world, journey, world.delay(at, "pay_unprompted_hours", journey), "unprompted")


def pay_fail(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: a payment attempt that fails (an injected failure goes through the injection)."""
    facts = journey.order
    if facts is None or facts.paid or facts.cancelled:
        return
    reason, buyer = item.payload["reason"], journey.buyer
    if item.payload.get("injected"):
        injection = Injection(kind="failed_payment", buyer=buyer, order_id=facts.id, reason=reason)
        done = world.act(
            journey, "payment_failed_injected", item.due, lambda: world.port.inject(injection), reason=reason
        )
    else:
        method = _method(world, journey, avoid=None)
        done = world.act(
            journey,
            "pay_failed",
            item.due,
            lambda: world.port.pay(buyer, facts.id, method, succeed=False, failure_reason=reason),
            reason=reason,
        )
        journey.flags.add(f"failed_with:{method}")
    if done is not REFUSED:
        facts.failure_reason = reason
        plan_unprompted(world, journey, item.due)


def payment_failed_by_injection(world: BuyerWorld, journey: Journey, reason: str, at: datetime) -> None:
    """An instructor made this buyer's payment fail: a payment they meant to make now fails instead."""
    facts = journey.order
    if facts is None:
        return
    facts.failure_reason = reason
    facts.pay_planned_at = None
    journey.flags.add("payment_blocked")
    plan_unprompted(world, journey, at)


def _method(world: BuyerWorld, journey: Journey, avoid: str | None) -> str:
    methods = [method for method in world.profile["orders"]["payment_methods"] if method != avoid]
    return rnd.pick(methods, world.seed, journey.buyer, journey.id, "method", avoid or "")


def pay(world: BuyerWorld, journey: Journey, item: AgendaItem) -> None:
    """Step: pay, unless it is done, too late, or a direct payment an injected failure blocked."""
    facts = journey.order
    if facts is None or facts.paid or facts.cancelled:
        return
    if facts.pay_planned_at is not None and facts.pay_planned_at <= item.due:
        facts.pay_planned_at = None  # this was the payment planned; a later reminder may plan another
    cause = item.payload["cause"]
    if cause == "direct" and "payment_blocked" in journey.flags:
        return
    margin = timedelta(minutes=behaviour()["timing"]["leave_margin_minutes"])
    if item.due > facts.view.pay_by - margin:
        world.record(journey, "too_late_to_pay", item.due, cause=cause)
        return
    failed = next((flag.split(":", 1)[1] for flag in journey.flags if flag.startswith("failed_with:")), None)
    method, buyer = _method(world, journey, avoid=failed), journey.buyer
    view = world.act(
        journey,
        "pay",
        item.due,
        lambda: world.port.pay(buyer, facts.id, method, succeed=True, failure_reason=None),
        cause=cause,
    )
    if view is REFUSED:
        return
    facts.paid = True
    journey.state = "paid"
    ship_by = item.due + timedelta(days=world.profile["handling_time_days"])
    world.plan(journey, "check_shipping", ship_by + timedelta(hours=behaviour()["timing"]["late_shipment_grace_hours"]))


def on_reminder(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    """A payment reminder (催付): pay after it by its timing and content; maybe answer it."""
    facts = journey.order
    if facts is None:
        return
    number = len(facts.reminders) + 1
    previous = facts.reminders[-1] if facts.reminders else None
    facts.reminders.append(obs.at)
    context = world.context(journey, "payment_reminder", facts_due=("order",), failure_reason=facts.failure_reason)
    assessment = assess(obs.text, context)
    world.keep_reply(journey, "payment_reminder", obs, None, assessment)
    if facts.paid or facts.cancelled:
        world.record(journey, "reminder_read", obs.at, number=number, settled=True)
        return
    persona = world.persona(journey)
    probability, factors = decisions.reminder_pay_probability(
        persona,
        sent_at=obs.at,
        placed_at=facts.ordered_at,
        pay_by=facts.view.pay_by,
        previous_at=previous,
        failure_reason=facts.failure_reason,
        assessment=assessment,
    )
    pays = world.chance(probability, journey, "pay_after_reminder", number)
    world.record(journey, "reminder_read", obs.at, number=number, p=probability, pays=pays, hour=factors["hour"])
    asleep = factors["hour"] == 0.0
    rules = behaviour()["reminder"]
    if asleep and world.chance(persona.propensity("complain") * rules["night_complaint"], journey, "woken", number):
        plan_write(world, journey, next_local_morning(world, journey, obs.at), ("night_complaint",), "order", False)
    if pays:
        journey.flags.discard("payment_blocked")
        plan_pay(world, journey, world.delay(obs.at, "pay_after_reminder_minutes", journey, number), "reminder")
    if world.chance(rules["answer"], journey, "answer_reminder", number):
        answer_at = (
            next_local_morning(world, journey, obs.at)
            if asleep
            else world.delay(obs.at, "answer_reminder_wall_seconds", journey, number)
        )
        plan_write(
            world, journey, answer_at, _reminder_answer(persona.price_sensitivity, pays, facts), "order", wait=not pays
        )


def _reminder_answer(sensitivity: float, pays: bool, facts: OrderFacts) -> tuple[str, ...]:
    if pays:
        return ("reminder_answer", "will_pay")
    if facts.failure_reason:
        return ("reminder_answer", "payment_problem", facts.failure_reason)
    return ("reminder_answer", "price_concern" if sensitivity >= 0.6 else "changed_mind")


def on_order_cancelled(world: BuyerWorld, journey: Journey, obs: Observation) -> None:
    if journey.order is not None:
        journey.order.cancelled = True
    journey.state = "cancelled"
    world.record(journey, "order_cancelled_seen", obs.at, reason=obs.facts.get("reason"))
