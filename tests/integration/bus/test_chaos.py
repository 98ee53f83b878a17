"""Chaos: events flow through the gateway's web process to four subscribers while worker main processes, pool
children, web workers, the scheduler and Redis are SIGKILLed at random and restarted by the project's supervisor.
Once every delivery is confirmed and no copy is left anywhere, each subscriber has each committed event exactly
once: zero missing, zero doubled.

``make test`` runs 1,000 events per database; ``make chaos`` runs 10,000 (``SHOPLAB_CHAOS_EVENTS``) and writes the
counts to ``SHOPLAB_CHAOS_REPORT`` (JSON, one entry per database). ``SHOPLAB_CHAOS_SEED`` replays a run's kills.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shoplab.eventbus.tables import Delivery
from tests.integration.bus.chaos import Monkey, Shop, Traffic
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import SUBSCRIBERS, assert_each_once, committed_events, wait_settled
from tests.ports import free_port
from tests.stack import Stack

EVENTS = int(os.environ.get("SHOPLAB_CHAOS_EVENTS", "1000"))
RATE = float(os.environ.get("SHOPLAB_CHAOS_RATE", "40"))  # events a second: what four subscribers keep up with
# One kill for every 40 events (the run: 34 kills for 2,000 orders, about 4,000 deliveries)
KILLS = int(os.environ.get("SHOPLAB_CHAOS_KILLS", str(max(10, EVENTS // 40))))
SEED = int(os.environ.get("SHOPLAB_CHAOS_SEED", str(random.SystemRandom().randrange(10**6))))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def chaos_stack(request, tmp_path, monkeypatch):
    """A stack whose Redis the supervisor runs (and restarts), on a port of its own."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("SHOPLAB_REDIS_URL", url)
    postgres = request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    stack = Stack(tmp_path, url, postgres)
    yield stack, url
    stack.close()


@pytest.mark.slow
@pytest.mark.timeout(max(600, int(EVENTS / RATE * 10) + 600))  # a busy shared machine runs at a fraction
def test_random_kills_while_events_flow_lose_and_double_nothing(chaos_stack):
    stack, url = chaos_stack
    print(f"\nchaos on {stack.backend}: {EVENTS} events at {RATE:.0f}/s, {KILLS} kills, seed {SEED}")
    shop = Shop.start(stack, url)
    try:
        traffic = Traffic(stack.sign_in(), EVENTS, RATE, shop.backlog)
        monkey = Monkey(shop, SEED, KILLS, lambda: traffic.ok, EVENTS)
        started = time.monotonic()
        traffic.start()
        monkey.start()
        traffic.join(EVENTS / RATE * 8 + 120)
        monkey.stop()
        produced = time.monotonic() - started
        assert not traffic.errors and not traffic.is_alive(), f"the traffic stopped: {traffic.errors!r}"
        shop.wait_up(timeout=120)  # everything killed is back
        settled_after = wait_settled(stack, SUBSCRIBERS, sweep=False, timeout=240)  # the backlog is bounded
        last_kill = max(kill.at for kill in shop.kills)
        report = chaos_report(stack, shop, traffic, produced, settled_after, time.monotonic() - last_kill)
    finally:
        shop.stop()
    print(json.dumps(report, indent=2))
    save(report, stack.backend)
    assert report["events_committed"] >= EVENTS
    assert {kind for kind, counts in report["recovery"].items() if counts["kills"]} == set(report["recovery"])
    assert all(counts["not_back"] == 0 for counts in report["recovery"].values()), report["recovery"]
    assert_each_once(stack, SUBSCRIBERS)


def chaos_report(stack: Stack, shop: Shop, traffic: Traffic, produced: float, settled: float, calm: float) -> dict:
    subscribers = {}
    for service in SUBSCRIBERS:
        committed = set(committed_events(stack, service))
        effects = effects_by_event(stack.runtime(service).db.engine)
        subscribers[service] = {
            "handled": sum(1 for event_id in committed if effects.get(event_id)),
            "missing": len(committed - set(effects)),
            "doubled": sum(1 for count in effects.values() if count > 1),
            "unexpected": len(set(effects) - committed),
        }
    with stack.runtime("gateway").db.reading() as session:
        sent_again = session.execute(
            select(Delivery.subscriber, func.count(), func.sum(Delivery.attempts - 1))
            .where(Delivery.attempts > 1)
            .group_by(Delivery.subscriber)
        ).all()
    return {
        "database": stack.backend,
        "seed": SEED,
        "events_committed": len(committed_events(stack, SUBSCRIBERS[0])),
        "requests": {"answered": traffic.ok, "failed": traffic.failed, "seconds": round(produced, 1)},
        "subscribers": subscribers,
        "deliveries_sent_again": {subscriber: int(count) for subscriber, count, _ in sent_again},
        "kills": len(shop.kills),
        "recovery": shop.recovery(),
        "settled_seconds_after_traffic": round(settled, 1),
        "settled_seconds_after_last_kill": round(calm, 1),
    }


def save(report: dict, backend: str) -> None:
    target = os.environ.get("SHOPLAB_CHAOS_REPORT")
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(path.read_text()) if path.exists() else {}
    runs[backend] = report
    path.write_text(json.dumps(runs, indent=2) + "\n")
