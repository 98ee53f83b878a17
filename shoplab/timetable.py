"""The scheduler's timetable: which periodic task runs on which service's queue, and how often (seconds).

Celery beat only sends messages by name; each service's worker runs them against its own database.
"""

from __future__ import annotations

from shoplab.topology import SERVICE_NAMES

OUTBOX_SWEEP_SECONDS = 2.0

TIMETABLE: dict[str, dict[str, float]] = {
    service: {f"{service}.sweep_outbox": OUTBOX_SWEEP_SECONDS} for service in SERVICE_NAMES
}

# The service queue's timers: SLA breaches and dispute escalation, on each shop's simulated clock.
TIMETABLE["tickets"].update({"tickets.check_sla": 5.0, "tickets.escalate_disputes": 15.0})

# orders: the time rules of the shop's simulated clock (unpaid timeout, reminder windows, tracking, auto-complete)
TIMETABLE["orders"].update(
    {
        "orders.expire_unpaid": 2.0,
        "orders.announce_reminders": 2.0,
        "orders.advance_tracking": 2.0,
        "orders.auto_complete": 10.0,
    }
)
