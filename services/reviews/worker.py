"""The reviews service's worker, on its own queue: `celery -A services.reviews.worker worker -Q reviews`.

Besides delivering events, it runs the timer of ``services/reviews/timers.py`` when the scheduler sends it."""

from services.reviews.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
