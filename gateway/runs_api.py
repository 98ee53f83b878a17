"""Scenario runs and reply assessments through the gateway (issue 13), documented from their schemas
(``gateway/run_schemas.py``) like every other operation of the API.

For people (``/api/v1/...``; the shop and class fences of ``sessions.fence_request`` ran before these views, so a
shop or class out of reach is 404 before anything else, and the role is checked before a body is read):

- ``GET /api/v1/scenarios``: the shipped scenarios (instructors).
- ``POST /api/v1/shops/<shop_id>/scenario-runs {"scenario", "seed"?, "speed"?}``: start (I; 409 while one runs);
  ``GET`` the shop's runs with their progress (S I);
  ``POST /api/v1/shops/<shop_id>/scenario-runs/<run_id>/<pause|resume|speed|stop> {"speed"?}`` (I).
- ``POST /api/v1/classes/<class_id>/scenario-runs``: start on every shop of the class, all or none (I);
  ``GET`` the class's runs (I); ``POST /api/v1/classes/<class_id>/scenario-runs/<action>``: every active run (I).
- ``GET /api/v1/shops/<shop_id>/reply-assessments[?run_id=]`` (S I: the shop's students see their shop's) and
  ``GET /api/v1/classes/<class_id>/reply-assessments[?run_id=]`` (I).

For the simulator process (``/internal/scenario-runs...``, the internal credential, checked by ``gateway.app``): the
active runs, its reports (progress and assessed replies), a buyer key per run, and the scenario's scripted
injections into the run's shop (``gateway/scripted_injections.py``). The buyer feed the simulator's
buyers read is the buyer API's (``gateway/buyer_api.py``).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from gateway import access, buyer_keys, live, scenario_runs, scripted_injections
from gateway.injections_api import InjectionIn, InjectionOut
from gateway.models import BuyerKey, Shop
from gateway.run_models import ACTIVE, ScenarioRun
from gateway.run_schemas import (
    ACTION_PARAMETER,
    ReplyAssessmentOut,
    ReplyAssessmentQuery,
    RunBuyerKeyOut,
    RunControlIn,
    RunOut,
    RunReportIn,
    RunStartIn,
    ScenarioOut,
    SimulatorRunOut,
)
from gateway.sessions import current_identity, instructors_only
from shoplab.errors import Conflict, InvalidInput, NotFound
from shoplab.plumbing.web import current_runtime, db
from simulator.scenario import shipped_scenarios

runs_api = Blueprint("runs", __name__, url_prefix="/api/v1", description="Scenario runs and reply assessments")
runs_internal = Blueprint(
    "simulator", __name__, url_prefix="/internal", description="The simulator process's calls (internal credential)"
)
SIMULATOR_KEY_LABEL = "simulator run {}"


def _checked(action: str) -> str:
    """The control named in the path, refused (422 naming it) before anything is looked up or written."""
    if action not in scenario_runs.CONTROLS:
        raise InvalidInput(f"unknown action {action}", {"action": [f"one of {', '.join(scenario_runs.CONTROLS)}"]})
    return action


def _ring_clock(shop_ids: list[str]) -> None:
    for shop_id in shop_ids:  # the stream says "look again" at once; the event follows through the bus
        live.notify(current_runtime().redis, shop_id, "shop.clock_changed", {})


@runs_api.route("/scenarios")
class Scenarios(MethodView):
    @instructors_only
    @runs_api.response(200, ScenarioOut(many=True))
    def get(self):
        """The shipped scenarios (instructors): what a run may play."""
        return [
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


@runs_api.route("/shops/<shop_id>/scenario-runs")
class ShopRuns(MethodView):
    @runs_api.response(200, RunOut(many=True))
    def get(self, shop_id: str):
        """The shop's scenario runs, newest first, with their progress (its students and instructors)."""
        current_identity()
        with db().reading() as session:
            return [scenario_runs.run_view(run) for run in scenario_runs.runs_of(session, shop_id=shop_id)]

    @instructors_only
    @runs_api.arguments(RunStartIn)
    @runs_api.response(201, RunOut)
    def post(self, data: dict[str, Any], shop_id: str):
        """Start a scenario on the shop (instructors): its clock takes the scenario's speed and start; 409 while a
        scenario runs (or is paused) there."""
        who = current_identity()
        with db().writing() as session:
            shop = access.visible_shop(session, who, shop_id)
            runs = scenario_runs.start_runs(
                session, [shop], scenario_name=data["scenario"], seed=data["seed"], speed=data["speed"], by=who.user_id
            )
            body = scenario_runs.run_view(runs[0])
        _ring_clock([shop_id])
        return body


@runs_api.route("/shops/<shop_id>/scenario-runs/<run_id>/<action>", parameters=[ACTION_PARAMETER])
class ShopRunControl(MethodView):
    @instructors_only
    @runs_api.arguments(RunControlIn, required=False)
    @runs_api.response(200, RunOut)
    def post(self, data: dict[str, Any], shop_id: str, run_id: str, action: str):
        """Pause, resume, change the speed of (with ``speed``) or stop a run of the shop (instructors); 409 when
        its state does not allow it."""
        _checked(action)
        with db().writing() as session:
            run = session.get(ScenarioRun, run_id)
            if run is None or run.shop_id != shop_id:
                raise NotFound(f"no run {run_id}", {"run_id": ["unknown run"]})
            body = scenario_runs.run_view(scenario_runs.control(session, run, action, data["speed"]))
        _ring_clock([shop_id])
        return body


@runs_api.route("/classes/<class_id>/scenario-runs")
class ClassRuns(MethodView):
    @instructors_only
    @runs_api.response(200, RunOut(many=True))
    def get(self, class_id: str):
        """The runs of the class's shops, newest first (its instructors)."""
        with db().reading() as session:
            access.taught_class(session, current_identity(), class_id)
            return [scenario_runs.run_view(run) for run in scenario_runs.runs_of(session, class_id=class_id)]

    @instructors_only
    @runs_api.arguments(RunStartIn)
    @runs_api.response(201, RunOut(many=True))
    def post(self, data: dict[str, Any], class_id: str):
        """Start a scenario on every shop of the class, all or none (instructors): 409 naming the shops where one
        runs already, or when the class has no shops."""
        who = current_identity()
        with db().writing() as session:
            access.taught_class(session, who, class_id)
            class_shops = list(session.scalars(select(Shop).where(Shop.class_id == class_id).order_by(Shop.id)))
            if not class_shops:
                raise Conflict("the class has no shops yet", {"class_id": ["give the class shops first"]})
            runs = scenario_runs.start_runs(
                session, class_shops, scenario_name=data["scenario"], seed=data["seed"], speed=data["speed"],
                by=who.user_id,
            )  # fmt: skip
            body = [scenario_runs.run_view(run) for run in runs]
        _ring_clock([run["shop_id"] for run in body])
        return body


@runs_api.route("/classes/<class_id>/scenario-runs/<action>", parameters=[ACTION_PARAMETER])
class ClassRunsControl(MethodView):
    @instructors_only
    @runs_api.arguments(RunControlIn, required=False)
    @runs_api.response(200, RunOut(many=True))
    def post(self, data: dict[str, Any], class_id: str, action: str):
        """Pause, resume, change the speed of or stop every active run of the class (instructors); 409 when none
        is active. Runs already paused (or running) are left as they are by a pause (or a resume)."""
        _checked(action)
        with db().writing() as session:
            access.taught_class(session, current_identity(), class_id)
            runs = [run for run in scenario_runs.runs_of(session, class_id=class_id) if run.status in ACTIVE]
            if not runs:
                raise Conflict("no scenario is running in this class", {"status": ["nothing to control"]})
            if action in ("pause", "resume"):
                wanted = "running" if action == "pause" else "paused"
                runs = [run for run in runs if run.status == wanted] or runs
            body = [scenario_runs.run_view(scenario_runs.control(session, run, action, data["speed"])) for run in runs]
        _ring_clock([run["shop_id"] for run in body])
        return body


@runs_api.route("/shops/<shop_id>/reply-assessments")
class ShopAssessments(MethodView):
    @runs_api.arguments(ReplyAssessmentQuery, location="query")
    @runs_api.response(200, ReplyAssessmentOut(many=True))
    def get(self, query: dict[str, Any], shop_id: str):
        """The shop's student replies as the simulated buyers read and assessed them, newest first (its students
        and instructors)."""
        current_identity()
        with db().reading() as session:
            return scenario_runs.assessments_of(session, [shop_id], run_id=query.get("run_id"))


@runs_api.route("/classes/<class_id>/reply-assessments")
class ClassAssessments(MethodView):
    @instructors_only
    @runs_api.arguments(ReplyAssessmentQuery, location="query")
    @runs_api.response(200, ReplyAssessmentOut(many=True))
    def get(self, query: dict[str, Any], class_id: str):
        """The assessed replies of every shop of the class, newest first (its instructors; at most 1000)."""
        with db().reading() as session:
            access.taught_class(session, current_identity(), class_id)
            shop_ids = list(session.scalars(select(Shop.id).where(Shop.class_id == class_id)))
            return scenario_runs.assessments_of(session, shop_ids, run_id=query.get("run_id"), limit=1000)


# -- the simulator process ---------------------------------------------------------------------------------------
@runs_internal.route("/scenario-runs")
class ActiveRuns(MethodView):
    @runs_internal.response(200, SimulatorRunOut(many=True))
    def get(self):
        """Every running or paused run, with its shop's platform and clock: what the simulator plays."""
        with db().reading() as session:
            return scenario_runs.active_for_simulator(session)


@runs_internal.route("/scenario-runs/<run_id>/report")
class RunReport(MethodView):
    @runs_internal.arguments(RunReportIn)
    @runs_internal.response(200, RunOut)
    def post(self, data: dict[str, Any], run_id: str):
        """The simulator's report on a run: how far its buyers were run, their actions, the replies they assessed
        (each kept once), the lag; ``finished`` ends a running or paused run."""
        with db().writing() as session:
            run = scenario_runs.report(session, run_id, data)
            scenario_runs.keep_assessments(session, run, data["assessments"])
            return scenario_runs.run_view(run)


@runs_internal.route("/scenario-runs/<run_id>/buyer-key")
class RunBuyerKey(MethodView):
    @runs_internal.response(201, RunBuyerKeyOut)
    def post(self, run_id: str):
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
            return {"key": key, "shop_id": run.shop_id}


@runs_internal.route("/scenario-runs/<run_id>/injections")
class RunInjections(MethodView):
    @runs_internal.arguments(InjectionIn)
    @runs_internal.response(202, InjectionOut)
    def post(self, data: dict[str, Any], run_id: str):
        """A scripted injection of the run's scenario into the run's shop, with an instructor's body: recorded as the
        run's and sent like theirs; one with nothing to act on is recorded with ``outcome: "skipped"`` and its
        reason. 404 for an unknown run, 409 for one stopped or finished."""
        return scripted_injections.inject_for_run(run_id, data)
