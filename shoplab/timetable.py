"""The scheduler's timetable, as the topology table declares it: which periodic task runs on which service's queue,
and how often (seconds). Every service sweeps its outbox; its own timers come from its topology entry.

Celery beat only sends messages by name; each service's worker runs them against its own database.
"""

from __future__ import annotations

from shoplab.topology import SERVICES, SWEEP_OUTBOX_SECONDS

TIMETABLE: dict[str, dict[str, float]] = {
    name: {f"{name}.sweep_outbox": SWEEP_OUTBOX_SECONDS, **service.timers} for name, service in SERVICES.items()
}
