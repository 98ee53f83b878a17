"""The tickets service's worker, on its own queue: `celery -A services.tickets.worker worker -Q tickets`.

Besides event delivery it runs the timers of ``services/tickets/timers.py`` (SLA breaches, dispute escalation)
when the scheduler sends them."""

from services.tickets.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
