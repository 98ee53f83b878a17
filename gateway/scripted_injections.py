"""A scenario's scripted injections (issue 13): the simulator process injects into the shop of one of its runs,
through the same code as an instructor (``gateway/injections.py``: the named order checked, the owner asked which
order it takes, the record and its ``injection.<kind>`` event in one transaction).

Who: the record names the run (``run_id``), the instructor who started it (``created_by``; none for a run the seed
command started) and says so in its note ("scripted by scenario <name>, run <id>"), so an instructor reading the
shop's injections tells the scenario's from their own.

A scripted injection that finds nothing to act on (no order in the state its kind needs; the order the simulator
named has moved on) is **recorded as skipped**, with the reason and no event, and answered ``202`` with
``outcome: "skipped"``. An instructor who clicks gets a 409 and can try again; a scenario cannot, and its author
wants to read in the shop's list that the injection at that moment found nothing, not to find it missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway import injection_targets, injections
from gateway.injection_models import Injection
from gateway.models import Shop
from gateway.run_models import ACTIVE, ScenarioRun
from shoplab.errors import Conflict, NotFound
from shoplab.plumbing.web import db

SCRIPTED_NOTE = "scripted by scenario {scenario}, run {run_id}"


def _active_run(session: Session, run_id: str) -> ScenarioRun:
    """The run, running or paused: 404 for an unknown one, 409 for one stopped or finished (its buyers are gone)."""
    run = session.get(ScenarioRun, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}", {"run_id": ["unknown run"]})
    if run.status not in ACTIVE:
        raise Conflict(f"run {run_id} is {run.status}", {"run_id": [f"is {run.status}; only an active run injects"]},
                       current_state=run.status)  # fmt: skip
    return run


def inject_for_run(run_id: str, data: dict[str, Any]) -> Injection:
    """Inject ``data`` (an instructor's body) into the run's shop, recorded as the run's."""
    with db().reading() as session:
        run = _active_run(session, run_id)
        shop_id, scripted = run.shop_id, SCRIPTED_NOTE.format(scenario=run.scenario, run_id=run.id)
    data = {**data, "note": f"{scripted}: {data['note']}"[:500] if data.get("note") else scripted}
    # settled before anything is written, as for an instructor; a 404 (another shop's order) stays a 404: the
    # simulator names only orders of its own buyers, so that one is a fault to see, not a skip
    skipped: str | None = None
    order_id: str | None = None
    try:
        if data.get("order_id"):
            injections.check_order(shop_id, data["kind"], data["order_id"])
        order_id = injection_targets.order_for(shop_id, data["kind"], data.get("order_id"))
    except Conflict as conflict:
        skipped = conflict.message
    with db().writing() as session:
        run = _active_run(session, run_id)  # stopped meanwhile: nothing written
        shop = session.get(Shop, run.shop_id)
        if skipped is not None:
            return injections.record_skipped(session, shop, data, skipped, by=run.started_by, run_id=run.id)
        rows = injections.inject(session, [shop], data, {shop.id: order_id}, by=run.started_by, run_id=run.id)
        return rows[0]
