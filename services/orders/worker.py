"""The orders service's worker, on its own queue: `celery -A services.orders.worker worker -Q orders`.

Besides delivering events, it runs the timers the scheduler sends (see shoplab.timetable)."""

from services.orders import timers
from services.orders.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)


@app.task(name="orders.expire_unpaid")
def expire_unpaid() -> int:
    """Cancel unpaid orders past their pay-by time and release their stock."""
    return timers.run_for_every_shop(runtime().db, timers.expire_unpaid)


@app.task(name="orders.announce_reminders")
def announce_reminders() -> int:
    """Publish payment.reminder_due for orders that became remindable."""
    return timers.run_for_every_shop(runtime().db, timers.remind_due)


@app.task(name="orders.advance_tracking")
def advance_tracking() -> int:
    """Let tracking timelines reach the shop's now: checkpoints, exceptions, deliveries."""
    return timers.run_for_every_shop(runtime().db, timers.advance_tracking)


@app.task(name="orders.auto_complete")
def auto_complete() -> int:
    """Complete delivered orders whose confirmation window has passed."""
    return timers.run_for_every_shop(runtime().db, timers.auto_complete)
