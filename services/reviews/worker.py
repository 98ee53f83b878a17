"""The reviews service's worker, on its own queue: `celery -A services.reviews.worker worker -Q reviews`.

Besides delivering events, it runs the timer of ``services/reviews/timers.py`` when the scheduler sends it, and
posts instructors' one-star reviews (``injection.one_star_review``)."""

import os
from typing import Any

from celery.signals import worker_init, worker_process_init

from services.reviews import sentiment
from services.reviews.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)

# An injected review is read for its sentiment in the worker, and snownlp takes seconds to load: it is loaded when
# the worker starts, not by the first injected Chinese review (which must reach the student within 2 s). By default
# in the background of the pool child, so the worker (and `make run`) is ready at once; ``before_ready`` loads it in
# the main process before the pool is forked (the children share it), the worker being ready only then (tests).
WARM_UP = os.environ.get("SHOPLAB_SENTIMENT_WARM_UP", "background")


@worker_init.connect(weak=False)
def _load_sentiment_before_ready(**_: Any) -> None:
    if WARM_UP == "before_ready":
        sentiment.warm_up().join()


@worker_process_init.connect(weak=False)
def _load_sentiment_in_background(**_: Any) -> None:
    if WARM_UP == "background":
        sentiment.warm_up()
