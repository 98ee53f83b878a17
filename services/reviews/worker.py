"""The reviews service's worker, on its own queue: `celery -A services.reviews.worker worker -Q reviews`.

Besides delivering events, it runs the timer of ``services/reviews/timers.py`` when the scheduler sends it, and
posts instructors' one-star reviews (``injection.one_star_review``)."""

from typing import Any

from celery.signals import worker_init

from services.reviews import sentiment
from services.reviews.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)


@worker_init.connect(weak=False)
def _load_sentiment(**_: Any) -> None:
    # An injected review is read for its sentiment in the worker: snownlp's seconds of loading are paid once, in the
    # main process before the pool is forked (the children share the loaded model), and the worker is ready only
    # then; not by the first injected Chinese review, which must reach the student within 2 s.
    sentiment.warm_up().join()
