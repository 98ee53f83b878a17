"""A subscriber's word to an event's producer that the event is recorded in its inbox, carried back through Redis.

Each producing service has one list, ``shoplab:confirmed:<producer>``; an entry is ``"<subscriber> <event id>"``.
Subscribers push their confirmations after the inbox commit (a duplicate is confirmed too, or a lost confirmation
would be repeated for ever), a round of them in one LPUSH; the producer's sweep takes them off the other end, many
at a time, and marks its deliveries in one UPDATE per subscriber. A confirmation lost on the way (a killed process,
Redis away) only means the producer sends the event to that subscriber again, and its inbox absorbs the repeat.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from shoplab.eventbus.lag import add_observations
from shoplab.plumbing.batch_thread import BatchThread
from shoplab.topology import SERVICES

log = logging.getLogger(__name__)

# A round waits this long after its first confirmation, so the confirmations of the events handled meanwhile share
# its round trip; the producer reads them every couple of seconds anyway.
LINGER = float(os.environ.get("SHOPLAB_CONFIRM_LINGER", "0.05"))


def confirmations_key(producer: str) -> str:
    return f"shoplab:confirmed:{producer}"


def confirmation_client(url: str) -> redis.Redis:
    """A client that gives up at once: a confirmation is worth no wait, losing one costs only a repeat."""
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))


class Confirmer:
    """The subscriber's side: ``confirm(producer, event_id)`` returns at once; a thread pushes them a round at a
    time (started on first use in each process, so in every pool child after the fork). An event handled for the
    first time also gives its lag (``shoplab.eventbus.lag``), added to the same round trip."""

    def __init__(self, subscriber: str, client: redis.Redis) -> None:
        self.subscriber = subscriber
        self.client = client
        self.thread: BatchThread[tuple[str, str, float | None]] = BatchThread(
            f"{subscriber}-confirmations", self._push, max_batch=1000, linger=LINGER
        )

    def confirm(self, producer: str | None, event_id: str, lag: float | None = None) -> None:
        if producer in SERVICES:  # messages made by hand (tests, replays of old letters) have nobody to tell
            self.thread.submit((producer, event_id, lag))

    def flush(self, timeout: float = 2.0) -> None:
        """Push what is waiting (a worker's pool child calls this before it exits)."""
        if self.thread.started():
            try:
                self.thread.call(None, timeout)
            except Exception:  # Redis away or too slow: the producer sends those events again, no harm
                log.warning("%s: confirmations not pushed before exit", self.subscriber)

    def _push(self, items: list[tuple[str, str, float | None] | None]) -> list[None]:
        by_producer: dict[str, list[str]] = defaultdict(list)
        lags: list[tuple[str, float]] = []
        for item in items:
            if item is not None:
                producer, event_id, lag = item
                by_producer[producer].append(f"{self.subscriber} {event_id}")
                if lag is not None:
                    lags.append((producer, lag))
        try:
            if len(by_producer) == 1 and not lags:
                ((producer, entries),) = by_producer.items()
                self.client.lpush(confirmations_key(producer), *entries)
            elif by_producer:
                with self.client.pipeline(transaction=False) as pipe:
                    for producer, entries in by_producer.items():
                        pipe.lpush(confirmations_key(producer), *entries)
                    add_observations(pipe, self.subscriber, lags)
                    pipe.execute()
        except redis.RedisError as exc:
            log.warning("%s: %d confirmation(s) lost, their events will come again: %s", self.subscriber,
                        sum(map(len, by_producer.values())), exc)  # fmt: skip
        return [None] * len(items)


def take_confirmations(client: redis.Redis, producer: str, limit: int = 1000) -> tuple[dict[str, list[str]], int]:
    """Up to ``limit`` confirmations addressed to ``producer``, taken off its list: event ids by subscriber, and how
    many entries were taken (a round that took ``limit`` may have left more)."""
    entries = client.rpop(confirmations_key(producer), limit) or []
    confirmed: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        subscriber, _, event_id = (entry.decode() if isinstance(entry, bytes) else entry).partition(" ")
        if subscriber in SERVICES and event_id:
            confirmed[subscriber].append(event_id)
    return dict(confirmed), len(entries)
