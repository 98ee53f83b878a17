"""Everything the buyers of one shop share while a scenario runs: their personas and journeys, the agenda, the port
to the shop, and the record of what they did. The behaviour steps (``simulator.behaviour``) read and change it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from simulator import randomness as rnd
from simulator.agenda import Agenda, AgendaItem
from simulator.assessment import Assessment, ReplyContext
from simulator.journey import Journey
from simulator.population import Persona
from simulator.port import Product, Refused, ShopPort
from simulator.reference_data import behaviour
from simulator.scenario import Scenario

T = TypeVar("T")
WORLD = ""  # the "buyer" of the scenario's own items (arrivals, injections): they sort before every buyer


@dataclass(frozen=True)
class _Refused:
    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Any = _Refused()  # what ``BuyerWorld.act`` gives when the shop refused the request


@dataclass(frozen=True)
class ActionRecord:
    """One thing a buyer did (or decided), normalised: scenario seconds instead of clock times, no shop ids."""

    t: int  # seconds since the scenario started, of the moment the action was due
    buyer: str
    journey: str
    action: str
    detail: tuple[tuple[str, Any], ...] = ()

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.t, self.buyer, self.journey, self.action, self.detail)


@dataclass(frozen=True)
class ReplyRecord:
    """A reply the buyer read and how it was assessed: kept for grading (phase 2 stores it and serves it)."""

    buyer: str
    journey: str
    purpose: str
    at: datetime
    wall_at: datetime
    conversation_id: str | None
    ref: str | None
    wait_seconds: float | None
    text: str
    assessment: Assessment
    agent_id: str | None = None  # who wrote it, when the shop says (the HTTP port's observations do)

    def to_dict(self) -> dict[str, Any]:
        """What phase 2 stores per reply and serves to instructors: the reply, its context and every item's
        evidence."""
        return {
            "buyer": self.buyer,
            "journey": self.journey,
            "purpose": self.purpose,
            "at": self.at.isoformat(),
            "wall_at": self.wall_at.isoformat(),
            "conversation_id": self.conversation_id,
            "ref": self.ref,
            "wait_seconds": self.wait_seconds,
            "text": self.text,
            "agent_id": self.agent_id,
            **self.assessment.to_dict(),
        }


@dataclass
class BuyerWorld:
    shop_id: str
    seed: int | str
    scenario: Scenario
    profile: Mapping[str, Any]
    port: ShopPort
    start: datetime  # the shop's time when the scenario started
    personas: dict[str, Persona]
    speed: float = 1.0  # the shop clock's speed: wall-paced waits become shop time at this rate
    journeys: dict[str, Journey] = field(default_factory=dict)
    index: dict[tuple[str, str], str] = field(default_factory=dict)  # ("order", id) -> journey id
    agenda: Agenda = field(default_factory=Agenda)
    log: list[ActionRecord] = field(default_factory=list)
    replies: list[ReplyRecord] = field(default_factory=list)
    catalog: tuple[Product, ...] | None = None
    world_items: int = 0
    registered: set[str] = field(default_factory=set)
    curve: Any = None  # the scenario's RateCurve (simulator.arrivals)

    def reply_score(self) -> float | None:
        """The KPI ``simulator.reply_score``: the mean rubric score of the replies buyers read."""
        scores = [reply.assessment.score for reply in self.replies]
        return round(sum(scores) / len(scores), 4) if scores else None

    # -- time ---------------------------------------------------------------------------------------------------
    def t(self, at: datetime) -> int:
        return int((at - self.start).total_seconds())

    def after_wall(self, at: datetime, wall_seconds: float) -> datetime:
        """A wait of people's time (a chat's pace) placed on the shop's clock at its current speed."""
        return at + timedelta(seconds=wall_seconds * self.speed)

    @property
    def target_seconds(self) -> int:
        """The first-response target buyers expect (the scenario's, else the platform profile's)."""
        return int(
            self.scenario.buyers.get("response_target_seconds")
            or self.profile["response_targets"]["first_response_seconds"]
        )

    def timing(self, name: str) -> Any:
        return behaviour()["timing"][name]

    def delay(self, at: datetime, name: str, journey: Journey, *parts: object) -> datetime:
        """``at`` plus the named delay of behaviour.yaml's timing (``*_minutes``, ``*_hours``: shop time;
        ``*_wall_seconds``: people's time), drawn for this journey."""
        low, high = self.timing(name)
        amount = rnd.between(low, high, self.seed, journey.buyer, journey.id, name, *parts)
        if name.endswith("_wall_seconds"):
            return self.after_wall(at, amount)
        unit = {"minutes": 60, "hours": 3600, "days": 86400}[name.rsplit("_", 1)[1]]
        return at + timedelta(seconds=amount * unit)

    # -- planning -----------------------------------------------------------------------------------------------
    def plan(self, journey: Journey, step: str, at: datetime, **payload: Any) -> None:
        journey.steps_planned += 1
        self.agenda.add(AgendaItem(at, journey.buyer, journey.id, journey.steps_planned, step, payload))

    def plan_world(self, step: str, at: datetime, key: str, **payload: Any) -> None:
        self.world_items += 1
        self.agenda.add(AgendaItem(at, WORLD, key, self.world_items, step, payload))

    # -- buyers and journeys ------------------------------------------------------------------------------------
    def open_journey(self, journey_id: str, buyer: str, at: datetime, mode: str = "browse") -> Journey:
        """A new journey of ``buyer``, who becomes the shop's customer on their first one."""
        if buyer not in self.registered:
            self.port.register_buyer(self.personas[buyer].card())
            self.registered.add(buyer)
        journey = Journey(id=journey_id, buyer=buyer, started_at=at, mode=mode)
        self.journeys[journey_id] = journey
        return journey

    def persona(self, journey: Journey) -> Persona:
        return self.personas[journey.buyer]

    def chance(self, probability: float, journey: Journey, decision: str, *parts: object) -> bool:
        return rnd.chance(probability, self.seed, journey.buyer, journey.id, decision, *parts)

    def propensity(self, journey: Journey, name: str) -> float:
        return self.persona(journey).propensity(name)

    def remember(self, kind: str, ref: str | None, journey: Journey) -> None:
        if ref:
            self.index[(kind, ref)] = journey.id

    def find(self, kind: str, ref: str | None) -> Journey | None:
        journey_id = self.index.get((kind, ref)) if ref else None
        return self.journeys.get(journey_id) if journey_id else None

    # -- acting through the port --------------------------------------------------------------------------------
    def record(self, journey: Journey | None, action: str, at: datetime, **detail: Any) -> None:
        buyer, key = (journey.buyer, journey.id) if journey else (WORLD, "scenario")
        self.log.append(ActionRecord(self.t(at), buyer, key, action, tuple(sorted(detail.items()))))

    def act(self, journey: Journey, action: str, at: datetime, call: Callable[[], T], **detail: Any) -> T:
        """Do ``call`` through the port as the buyer and record it; a refusal is recorded as ``<action>_refused``
        with its reason, and gives ``REFUSED``."""
        try:
            result = call()
        except Refused as refused:
            self.record(journey, f"{action}_refused", at, status=refused.status, reason=refused.reason, **detail)
            return REFUSED
        self.record(journey, action, at, **detail)
        return result

    def products(self, buyer: str) -> tuple[Product, ...]:
        """The catalog as a buyer browses it (read once per shop: it is the same for every buyer)."""
        if self.catalog is None:
            self.catalog = tuple(sorted(self.port.browse(buyer), key=lambda product: product.id))
        return self.catalog

    def context(self, journey: Journey, purpose: str, **given: Any) -> ReplyContext:
        """What the buyer of ``journey`` knows when they read a reply about ``purpose``."""
        persona = self.persona(journey)
        facts: dict[str, Any] = {}
        if journey.product:
            local = journey.product.title_zh if persona.language == "zh" else journey.product.title
            other = journey.product.title if persona.language == "zh" else journey.product.title_zh
            facts.update(product=local, product_alt=other)
        if journey.order:
            facts.update(order_no=journey.order.view.number, amount=journey.order.view.total)
            facts.update(tracking_no=journey.order.tracking_no, carrier=journey.order.carrier)
        return ReplyContext(
            language=persona.language,
            purpose=purpose,
            buyer_names=(persona.name, persona.given_name, persona.family_name),
            facts=facts,
            forbidden_rules=tuple(self.profile["forbidden_content"]),
            **given,
        )

    def keep_reply(self, journey: Journey, purpose: str, obs: Any, wait: float | None, assessment: Assessment) -> None:
        self.replies.append(
            ReplyRecord(
                journey.buyer,
                journey.id,
                purpose,
                obs.at,
                obs.wall_at,
                obs.conversation_id,
                obs.ref,
                wait,
                obs.text,
                assessment,
                (getattr(obs, "facts", None) or {}).get("agent_id"),
            )
        )
        journey.experience.scores.append(assessment.score)
        if assessment.failed("forbidden"):
            journey.experience.rule_broken = True
