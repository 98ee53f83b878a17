"""One tick of a service's timer, as the worker runs it when the scheduler sends its name."""

from __future__ import annotations

from datetime import datetime

from shoplab.plumbing.runtime import load_spec
from shoplab.shops.timer_runner import run_timer


def tick(db, name: str, wall_now: datetime | None = None) -> int:
    """Run the timer ``<service>.<timer>`` over every open shop; what it did, counted."""
    spec = load_spec(name.split(".")[0])
    return run_timer(db, name, spec.timers[name], wall_now=wall_now).done
