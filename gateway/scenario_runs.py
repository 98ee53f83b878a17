"""Scenario runs: an instructor starts a shipped scenario on a shop (or every shop of a class), pauses, resumes,
speeds it up or stops it; the simulator process reads the active runs and reports how far it got.

A run's clock is the shop's clock: starting sets the shop's speed to the scenario's (or the one given) and moves the
clock forward to the scenario's ``start`` moment when it has one; pausing and resuming pause the shop's clock, so the
whole shop (payment timeouts, parcels, SLA) stops with the buyers. Each clock change publishes
``shop.clock_changed`` in the same transaction (``gateway.shops.change_clock``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import shops
from gateway.models import Shop
from gateway.run_models import ACTIVE, FINISHED, PAUSED, RUNNING, STOPPED, ReplyAssessment, ScenarioRun
from shoplab.errors import Conflict, InvalidInput, NotFound
from simulator.scenario import Scenario, shipped_scenarios

CONTROLS = ("pause", "resume", "speed", "stop")


def scenario_named(name: str, platform: str) -> Scenario:
    scenarios = shipped_scenarios()
    scenario = scenarios.get(name)
    if scenario is None:
        raise InvalidInput(f"no scenario {name!r}", {"scenario": [f"one of {', '.join(sorted(scenarios))}"]})
    if platform not in scenario.platforms:
        raise InvalidInput(
            f"{name} is written for {', '.join(scenario.platforms)}, not {platform}",
            {"scenario": [f"not for {platform} shops"]},
        )
    return scenario


def active_run(session: Session, shop_id: str) -> ScenarioRun | None:
    return session.scalars(
        select(ScenarioRun).where(ScenarioRun.shop_id == shop_id, ScenarioRun.status.in_(ACTIVE))
    ).first()


def start_runs(
    session: Session,
    shop_list: Iterable[Shop],
    *,
    scenario_name: str,
    seed: int | None,
    speed: float | None,
    by: str | None,
) -> list[ScenarioRun]:
    """One run per shop, all or none: a shop with a running (or paused) scenario is 409, naming it."""
    shop_list = list(shop_list)
    busy = [shop.id for shop in shop_list if active_run(session, shop.id) is not None]
    if busy:
        raise Conflict(
            "a scenario is already running on " + ", ".join(busy),
            {"shop_id": [f"{shop_id}: stop its scenario first" for shop_id in busy]},
        )
    return [_start(session, shop, scenario_name, seed, speed, by) for shop in shop_list]


def _start(
    session: Session, shop: Shop, name: str, seed: int | None, speed: float | None, by: str | None
) -> ScenarioRun:
    scenario = scenario_named(name, shop.platform)
    speed = speed or scenario.clock_speed
    now = datetime.now(UTC)
    shop_now = shop.clock.now(now)
    begins = scenario.start_at(shop_now)
    shops.change_clock(session, shop.id, speed=speed, paused=False, advance_seconds=(begins - shop_now).total_seconds())
    run = ScenarioRun(
        id=uuid.uuid4().hex[:16],
        shop_id=shop.id,
        class_id=shop.class_id,
        scenario=scenario.name,
        seed=int(scenario.seed if seed is None else seed),
        status=RUNNING,
        speed=speed,
        started_by=by,
        started_wall_at=now,
        begins_at=begins,
        ends_at=begins + timedelta(seconds=scenario.duration),
        actions=0,
        replies=0,
    )
    session.add(run)
    session.flush()
    return run


def control(session: Session, run: ScenarioRun, action: str, speed: float | None = None) -> ScenarioRun:
    """Pause, resume, change the speed of, or stop a run: 409 when its state does not allow it."""
    if run.status not in ACTIVE:
        raise Conflict(f"the run is {run.status}", {"status": [run.status]})
    if action == "pause":
        if run.status == PAUSED:
            raise Conflict("the run is paused already", {"status": [run.status]})
        shops.change_clock(session, run.shop_id, paused=True)
        run.status = PAUSED
    elif action == "resume":
        if run.status == RUNNING:
            raise Conflict("the run is running already", {"status": [run.status]})
        shops.change_clock(session, run.shop_id, paused=False)
        run.status = RUNNING
    elif action == "speed":
        if speed is None or speed <= 0:
            raise InvalidInput("give the clock's new speed", {"speed": ["a positive number"]})
        shops.change_clock(session, run.shop_id, speed=speed)
        run.speed = speed
    elif action == "stop":
        run.status = STOPPED
        run.ended_wall_at = datetime.now(UTC)
    else:
        raise InvalidInput(f"unknown action {action}", {"action": [f"one of {', '.join(CONTROLS)}"]})
    return run


def runs_of(session: Session, *, shop_id: str | None = None, class_id: str | None = None) -> list[ScenarioRun]:
    query = select(ScenarioRun).order_by(ScenarioRun.started_wall_at.desc(), ScenarioRun.id)
    if shop_id is not None:
        query = query.where(ScenarioRun.shop_id == shop_id)
    if class_id is not None:
        query = query.where(ScenarioRun.class_id == class_id)
    return list(session.scalars(query.limit(200)))


def run_view(run: ScenarioRun) -> dict[str, Any]:
    """A run with its progress, as ``gateway.run_schemas.RunOut`` sends it."""
    span = (run.ends_at - run.begins_at).total_seconds()
    done = (run.reached_at - run.begins_at).total_seconds() if run.reached_at else 0.0
    names = ("id", "shop_id", "class_id", "scenario", "seed", "status", "speed", "started_by", "started_wall_at",
              "ended_wall_at", "begins_at", "ends_at", "reached_at", "actions", "replies", "lag_seconds",
              "reported_wall_at")  # fmt: skip
    view = {name: getattr(run, name) for name in names}
    view["progress"] = round(min(1.0, max(0.0, done / span)), 4) if span > 0 else 1.0
    return view


# -- the simulator's side ----------------------------------------------------------------------------------------
def active_for_simulator(session: Session) -> list[dict[str, Any]]:
    """Every running or paused run with its shop's platform and clock: what the simulator process plays."""
    rows = session.execute(
        select(ScenarioRun, Shop).join(Shop, Shop.id == ScenarioRun.shop_id).where(ScenarioRun.status.in_(ACTIVE))
    ).all()
    return [{**run_view(run), "platform": shop.platform, "clock": shop.clock.to_dict()} for run, shop in rows]


def report(session: Session, run_id: str, progress: Mapping[str, Any]) -> ScenarioRun:
    """The simulator's report (``gateway.run_schemas.RunReportIn``, loaded): how far the buyers were run, what they
    did, how far behind the clock they were; a run that reached its end is finished. A stopped run stays stopped."""
    run = session.get(ScenarioRun, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}", {"run_id": ["unknown run"]})
    now = datetime.now(UTC)
    if progress.get("reached_at"):
        run.reached_at = progress["reached_at"]
    if progress.get("actions") is not None:
        run.actions = progress["actions"]
    if progress.get("replies") is not None:
        run.replies = progress["replies"]
    run.lag_seconds = progress.get("lag_seconds")
    run.reported_wall_at = now
    if progress.get("finished") and run.status in ACTIVE:
        run.status = FINISHED
        run.ended_wall_at = now
    return run


def keep_assessments(session: Session, run: ScenarioRun, replies: Iterable[Mapping[str, Any]]) -> int:
    """Keep the assessed replies the simulator reports (``ReplyAssessmentIn``, loaded; numbered per run: a report sent
    twice is kept once)."""
    known = set(session.scalars(select(ReplyAssessment.seq).where(ReplyAssessment.run_id == run.id)))
    kept = 0
    for reply in replies:
        if reply["seq"] in known:
            continue
        known.add(reply["seq"])
        session.add(
            ReplyAssessment(
                run_id=run.id,
                shop_id=run.shop_id,
                seq=reply["seq"],
                buyer=reply["buyer"],
                journey=reply["journey"],
                purpose=reply["purpose"],
                conversation_id=reply.get("conversation_id"),
                ref=reply.get("ref"),
                agent_id=reply.get("agent_id"),
                replied_at=reply["at"],
                replied_wall_at=reply["wall_at"],
                wait_seconds=reply.get("wait_seconds"),
                text=reply["text"],
                language=reply.get("language") or "",
                score=float(reply["score"]),
                items=json.dumps(reply.get("items") or [], ensure_ascii=False),
            )
        )
        kept += 1
    return kept


def assessments_of(
    session: Session, shop_ids: Iterable[str], *, run_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    query = select(ReplyAssessment).where(ReplyAssessment.shop_id.in_(list(shop_ids)))
    if run_id:
        query = query.where(ReplyAssessment.run_id == run_id)
    rows = session.scalars(query.order_by(ReplyAssessment.replied_wall_at.desc(), ReplyAssessment.id).limit(limit))
    return [
        {
            "id": row.id,
            "run_id": row.run_id,
            "shop_id": row.shop_id,
            "buyer": row.buyer,
            "purpose": row.purpose,
            "conversation_id": row.conversation_id,
            "ref": row.ref,
            "agent_id": row.agent_id,
            "replied_at": row.replied_at,
            "replied_wall_at": row.replied_wall_at,
            "wait_seconds": row.wait_seconds,
            "text": row.text,
            "language": row.language,
            "score": row.score,
            "items": json.loads(row.items),
        }
        for row in rows
    ]
