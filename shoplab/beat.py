"""The one scheduler process (Celery beat) for every service's timers: ``celery -A shoplab.beat beat``."""

from __future__ import annotations

from shoplab.eventbus.celery_setup import make_celery
from shoplab.timetable import TIMETABLE

app = make_celery("shoplab-beat")
app.conf.beat_schedule = {
    task: {"task": task, "schedule": every, "options": {"queue": service, "expires": every * 5}}
    for service, tasks in TIMETABLE.items()
    for task, every in tasks.items()
}
