"""Scenario runs and reply assessments through the gateway (issue 13).

For people (``/api/v1/...``; the shop and class fences of ``sessions.fence_request`` ran before these views, so a
shop or class out of reach is 404 before anything else):

- ``GET /api/v1/scenarios``: the shipped scenarios (instructors).
- ``POST /api/v1/shops/<shop_id>/scenario-runs {"scenario", "seed"?, "speed"?}``: start (I; 409 while one runs);
  ``GET`` the shop's runs with their progress (S I);
  ``POST /api/v1/shops/<shop_id>/scenario-runs/<run_id>/<pause|resume|speed|stop> {"speed"?}`` (I).
- ``POST /api/v1/classes/<class_id>/scenario-runs``: start on every shop of the class, all or none (I);
  ``GET`` the class's runs (I); ``POST /api/v1/classes/<class_id>/scenario-runs/<action>``: every active run (I).
- ``GET /api/v1/shops/<shop_id>/reply-assessments[?run_id=]`` (S I: the shop's students see their shop's) and
  ``GET /api/v1/classes/<class_id>/reply-assessments[?run_id=]`` (I).

For the simulator process (``/internal/scenario-runs...``, the internal credential): the active runs, its reports
(progress and assessed replies), and a buyer key per run.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from gateway import access, buyer_keys, live, scenario_runs
from gateway.models import BuyerKey, Shop
from gateway.run_models import ACTIVE, ScenarioRun
from gateway.sessions import current_identity
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.plumbing.web import current_runtime, db
from simulator.scenario import shipped_scenarios

runs_api = Blueprint("runs_api", __name__)
runs_internal = Blueprint("runs_internal", __name__)
SIMULATOR_KEY_LABEL = "simulator run {}"


class StartIn(Schema):
    scenario = fields.String(required=True, validate=validate.Length(min=1, max=80))
    seed = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1))
    speed = fields.Float(load_default=None, validate=validate.Range(min=0.1, max=10000))


class ControlIn(Schema):
    speed = fields.Float(load_default=None, validate=validate.Range(min=0.1, max=10000))


def _load(schema: Schema) -> dict[str, Any]:
    try:
        return schema.load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        raise InvalidInput("some fields are invalid", exc.messages) from None


def _instructor():
    who = current_identity()
    access.require_instructor(who)
    return who


def _ring_clock(shop_ids: list[str]) -> None:
    for shop_id in shop_ids:  # the stream says "look again" at once; the event follows through the bus
        live.notify(current_runtime().redis, shop_id, "shop.clock_changed", {})


@runs_api.get("/api/v1/scenarios")
def list_scenarios():
    _instructor()
    return jsonify(
        [
            {
                "name": s.name,
                "title": s.title,
                "title_zh": s.title_zh,
                "platforms": list(s.platforms),
                "duration_seconds": s.duration,
                "clock_speed": s.clock_speed,
                "buyers": s.buyers.get("count"),
            }
            for s in sorted(shipped_scenarios().values(), key=lambda s: s.name)
        ]
    )


@runs_api.route("/api/v1/shops/<shop_id>/scenario-runs", methods=["GET", "POST"])
def shop_runs(shop_id: str):
    who = current_identity()
    if request.method == "GET":
        with db().reading() as session:
            return jsonify([scenario_runs.run_view(run) for run in scenario_runs.runs_of(session, shop_id=shop_id)])
    access.require_instructor(who)
    data = _load(StartIn())
    with db().writing() as session:
        shop = access.visible_shop(session, who, shop_id)
        runs = scenario_runs.start_runs(
            session, [shop], scenario_name=data["scenario"], seed=data["seed"], speed=data["speed"], by=who.user_id
        )
        body = scenario_runs.run_view(runs[0])
    _ring_clock([shop_id])
    return jsonify(body), 201


@runs_api.post("/api/v1/shops/<shop_id>/scenario-runs/<run_id>/<action>")
def control_shop_run(shop_id: str, run_id: str, action: str):
    _instructor()
    data = _load(ControlIn())
    with db().writing() as session:
        run = session.get(ScenarioRun, run_id)
        if run is None or run.shop_id != shop_id:
            raise NotFound(f"no run {run_id}", {"run_id": ["unknown run"]})
        body = scenario_runs.run_view(scenario_runs.control(session, run, action, data["speed"]))
    _ring_clock([shop_id])
    return jsonify(body)


@runs_api.route("/api/v1/classes/<class_id>/scenario-runs", methods=["GET", "POST"])
def class_runs(class_id: str):
    who = _instructor()
    if request.method == "GET":
        with db().reading() as session:
            access.taught_class(session, who, class_id)
            return jsonify([scenario_runs.run_view(run) for run in scenario_runs.runs_of(session, class_id=class_id)])
    data = _load(StartIn())
    with db().writing() as session:
        access.taught_class(session, who, class_id)
        class_shops = list(session.scalars(select(Shop).where(Shop.class_id == class_id).order_by(Shop.id)))
        if not class_shops:
            raise Conflict("the class has no shops yet", {"class_id": ["give the class shops first"]})
        runs = scenario_runs.start_runs(
            session, class_shops, scenario_name=data["scenario"], seed=data["seed"], speed=data["speed"], by=who.user_id
        )
        body = [scenario_runs.run_view(run) for run in runs]
    _ring_clock([run["shop_id"] for run in body])
    return jsonify(body), 201


@runs_api.post("/api/v1/classes/<class_id>/scenario-runs/<action>")
def control_class_runs(class_id: str, action: str):
    who = _instructor()
    data = _load(ControlIn())
    with db().writing() as session:
        access.taught_class(session, who, class_id)
        runs = [run for run in scenario_runs.runs_of(session, class_id=class_id) if run.status in ACTIVE]
        if not runs:
            raise Conflict("no scenario is running in this class", {"status": ["nothing to control"]})
        if action in ("pause", "resume"):  # the runs already so are left as they are
            wanted = "running" if action == "pause" else "paused"
            runs = [run for run in runs if run.status == wanted] or runs
        body = [scenario_runs.run_view(scenario_runs.control(session, run, action, data["speed"])) for run in runs]
    _ring_clock([run["shop_id"] for run in body])
    return jsonify(body)


@runs_api.get("/api/v1/shops/<shop_id>/reply-assessments")
def shop_assessments(shop_id: str):
    current_identity()  # students of the shop and its instructors: the fence let only them in
    with db().reading() as session:
        return jsonify(scenario_runs.assessments_of(session, [shop_id], run_id=request.args.get("run_id")))


@runs_api.get("/api/v1/classes/<class_id>/reply-assessments")
def class_assessments(class_id: str):
    who = _instructor()
    with db().reading() as session:
        access.taught_class(session, who, class_id)
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.class_id == class_id)))
        return jsonify(scenario_runs.assessments_of(session, shop_ids, run_id=request.args.get("run_id"), limit=1000))


# -- the simulator process ---------------------------------------------------------------------------------------
@runs_internal.get("/internal/scenario-runs")
def active_runs():
    with db().reading() as session:
        return jsonify(scenario_runs.active_for_simulator(session))


@runs_internal.post("/internal/scenario-runs/<run_id>/report")
def report_run(run_id: str):
    body = request.get_json(silent=True) or {}
    with db().writing() as session:
        run = scenario_runs.report(session, run_id, body)
        scenario_runs.keep_assessments(session, run, body.get("assessments") or [])
        return jsonify(scenario_runs.run_view(run))


@runs_internal.post("/internal/scenario-runs/<run_id>/buyer-key")
def run_buyer_key(run_id: str):
    """A fresh buyer key of the run's shop for the simulator process (an older one of the run is revoked)."""
    with db().writing() as session:
        run = session.get(ScenarioRun, run_id)
        if run is None:
            raise NotFound(f"no run {run_id}", {"run_id": ["unknown run"]})
        label = SIMULATOR_KEY_LABEL.format(run_id)
        for old in session.scalars(
            select(BuyerKey).where(
                BuyerKey.shop_id == run.shop_id, BuyerKey.label == label, BuyerKey.revoked_wall_at.is_(None)
            )
        ):
            buyer_keys.revoke(session, run.shop_id, old.id)
        key, _ = buyer_keys.issue(session, run.shop_id, label=label, issued_by=run.started_by)
    return jsonify({"key": key, "shop_id": run.shop_id}), 201


# -- the buyer feed ----------------------------------------------------------------------------------------------
@runs_api.get("/api/v1/buyer/shops/<shop_id>/feed")
def buyer_feed(shop_id: str):
    """What changed in the shop since ``after`` (the shop's live notifications: ids to look at again), for a buyer
    key: the simulator reads its buyers' conversations and orders again only when they changed. ``complete`` false:
    some were dropped (more than the last 500), read everything again. A buyer key acts as any customer of its
    shop, so the shop-wide ids tell it nothing it could not read."""
    from gateway.public_api import buyer_key_for

    buyer_key_for(shop_id)
    after = request.args.get("after", type=int)
    client = live.redis_client()
    if after is None:
        return jsonify({"seq": live.current_seq(client, shop_id), "complete": False, "items": []})
    items, complete = live.since(client, shop_id, after)
    seq = items[-1]["seq"] if items else (after if complete else live.current_seq(client, shop_id))
    return jsonify(
        {
            "seq": seq,
            "complete": complete,
            "items": [{"seq": i["seq"], "type": i["type"], "ids": i["ids"]} for i in items],
        }
    )
