"""The tickets service's worker, on its own queue: `celery -A services.tickets.worker worker -Q tickets`."""

from services.tickets.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
