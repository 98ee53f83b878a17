"""Event lag: from an event's commit (its outbox row, stamped with the envelope's ``occurred_at``) to its subscriber's
inbox commit, per subscriber and producer, as a Prometheus histogram on each service's ``/metrics``.

The worker that handles the event measures it; the web process that serves ``/metrics`` is another process, so the
counts meet in Redis: one hash per subscriber, ``shoplab:lag:<subscriber>``, with a field per producer and bucket
(``<producer> <upper bound>``) plus ``<producer> sum`` and ``<producer> count``. The worker's confirmation thread
adds its round's observations with HINCRBY in the round trip that carries the confirmations
(``shoplab.eventbus.confirmations``), so measuring costs no Redis call of its own. Counts only grow (as a
Prometheus counter does); a reset of Redis starts them again, which Prometheus reads as a counter reset.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

import redis
from prometheus_client.core import HistogramMetricFamily

# seconds: the aim is well under a second; the long tail shows redeliveries (17 s) and resends (20 s)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
INF = "+Inf"
NAME = "shoplab_event_lag_seconds"
HELP = "Seconds from an event's commit at its producer to its handling committed at this subscriber"


def lag_key(subscriber: str) -> str:
    return f"shoplab:lag:{subscriber}"


def bucket_of(seconds: float) -> str:
    """The label of the first bucket the observation falls in (non-cumulative; made cumulative when read)."""
    index = bisect_left(BUCKETS, seconds)
    return INF if index == len(BUCKETS) else repr(BUCKETS[index])


def add_observations(pipe: redis.client.Pipeline, subscriber: str, observations: Iterable[tuple[str, float]]) -> None:
    """Queue on ``pipe`` the increments for a round of ``(producer, seconds)`` observations."""
    counts: dict[str, int] = defaultdict(int)
    sums: dict[str, float] = defaultdict(float)
    for producer, seconds in observations:
        seconds = max(seconds, 0.0)  # clocks of two hosts may disagree by a little
        counts[f"{producer} {bucket_of(seconds)}"] += 1
        counts[f"{producer} count"] += 1
        sums[f"{producer} sum"] += seconds
    key = lag_key(subscriber)
    for field, count in counts.items():
        pipe.hincrby(key, field, count)
    for field, total in sums.items():
        pipe.hincrbyfloat(key, field, total)


def lag_family(client: redis.Redis, subscriber: str) -> HistogramMetricFamily:
    """The subscriber's histogram as Prometheus reads it: cumulative buckets per producer."""
    family = HistogramMetricFamily(NAME, HELP, labels=["subscriber", "producer"])
    raw = client.hgetall(lag_key(subscriber))
    fields: dict[str, dict[str, float]] = defaultdict(dict)
    for field, value in raw.items():
        producer, _, part = (field.decode() if isinstance(field, bytes) else field).partition(" ")
        fields[producer][part] = float(value)
    for producer, parts in sorted(fields.items()):
        running, buckets = 0.0, []
        for bound in (*map(repr, BUCKETS), INF):
            running += parts.get(bound, 0.0)
            buckets.append((bound, running))
        family.add_metric([subscriber, producer], buckets, parts.get("sum", 0.0))
    return family
