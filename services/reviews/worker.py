"""The reviews service's worker, on its own queue: `celery -A services.reviews.worker worker -Q reviews`."""

from services.reviews.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
