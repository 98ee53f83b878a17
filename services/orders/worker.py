"""The orders service's worker, on its own queue: `celery -A services.orders.worker worker -Q orders`.

Besides delivering events, it runs the timers of ``services/orders/timers.py`` when the scheduler sends them."""

from services.orders.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
