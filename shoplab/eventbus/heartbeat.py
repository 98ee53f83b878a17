"""Workers tell Redis they are alive, when they started and when they last consumed; ``/healthz`` reads it.

The "alive" key lives ``ALIVE_TTL_MS`` and is renewed every ``BEAT_SECONDS`` by a thread of the worker's main
process, so a worker killed outright shows ``down`` within two seconds (and one stopped cleanly at once: it
deletes the key). Each start is also recorded, so a worker that died and was restarted between two looks at
``/healthz`` still shows: a short uptime and more than one start in the last hour.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

import redis

BEAT_SECONDS = 0.5
ALIVE_TTL_MS = 2000  # a missed beat or three (a busy machine) is not yet "down"; a dead worker is, within 2 s
STALLED_AFTER_SECONDS = 30  # messages waiting and nothing consumed for this long
STARTS_WINDOW_SECONDS = 3600
KEEP_SECONDS = 7 * 24 * 3600  # bookkeeping keys of a worker that never comes back go away in the end


def alive_key(service: str) -> str:
    return f"shoplab:worker:{service}:alive"


def beat_key(service: str) -> str:
    return f"shoplab:worker:{service}:beat_at"


def consumed_key(service: str) -> str:
    return f"shoplab:worker:{service}:consumed_at"


def started_key(service: str) -> str:
    return f"shoplab:worker:{service}:started_at"


def starts_key(service: str) -> str:
    return f"shoplab:worker:{service}:starts"


class Heartbeat:
    """The worker's "alive" key, renewed every half second; removed on a clean stop, so /healthz says down at once
    instead of when the key expires."""

    def __init__(self, client: redis.Redis, service: str) -> None:
        self.client = client
        self.service = service
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"{service}-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        now = time.time()
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.set(started_key(self.service), now, ex=KEEP_SECONDS)
                pipe.zadd(starts_key(self.service), {f"{socket.gethostname()}:{os.getpid()}:{now}": now})
                pipe.zremrangebyscore(starts_key(self.service), "-inf", now - STARTS_WINDOW_SECONDS)
                pipe.expire(starts_key(self.service), KEEP_SECONDS)
                pipe.execute()
        except redis.RedisError:
            pass
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(BEAT_SECONDS + 1)
        try:
            self.client.delete(alive_key(self.service))
        except redis.RedisError:
            pass  # the key expires by itself

    def _beat(self) -> None:
        while not self._stopped.is_set():
            now = time.time()
            try:
                with self.client.pipeline(transaction=False) as pipe:
                    pipe.set(alive_key(self.service), now, px=ALIVE_TTL_MS)
                    pipe.set(beat_key(self.service), now, ex=KEEP_SECONDS)
                    pipe.execute()
            except redis.RedisError:
                pass  # Redis is away; the worker reconnects by itself and we beat again
            self._stopped.wait(BEAT_SECONDS)


def forget_workers(client: redis.Redis, services: list[str]) -> None:
    """Drop the "alive" keys a previous run may have left (a worker killed outright keeps its key for the TTL):
    a supervisor starting every worker afresh must not read a dead worker's key as its new worker being up."""
    client.delete(*(alive_key(service) for service in services))


def start_heartbeat(client: redis.Redis, service: str) -> Heartbeat:
    return Heartbeat(client, service).start()


_last_recorded: dict[str, float] = {}


def record_consumed(client: redis.Redis, service: str) -> None:
    """Note that the worker took a message; at most once a second, so a busy worker does not pay a round trip for
    each."""
    now = time.time()
    if now - _last_recorded.get(service, 0.0) < 1.0:
        return
    _last_recorded[service] = now  # also when Redis is away: the worker's loop must not wait on it message by message
    try:
        client.set(consumed_key(service), now, ex=KEEP_SECONDS)
    except redis.RedisError:
        pass


def worker_state(client: redis.Redis, service: str, queue: str) -> dict[str, Any]:
    """The worker as /healthz shows it: ``down`` (no beat for 2 s), ``stalled`` (messages wait and nothing was
    consumed for 30 s) or ``up``; with its uptime and its starts in the last hour, so a restart shows."""
    now = time.time()
    with client.pipeline(transaction=False) as pipe:
        pipe.mget(alive_key(service), beat_key(service), consumed_key(service), started_key(service))
        pipe.llen(queue)
        pipe.zcount(starts_key(service), now - STARTS_WINDOW_SECONDS, "+inf")
        (alive, beat, consumed, started), waiting, starts = pipe.execute()

    def ago(stamp: bytes | None) -> float | None:
        return round(now - float(stamp), 1) if stamp else None

    state: dict[str, Any] = {
        "queue": queue,
        "waiting": waiting,
        "last_heartbeat_seconds_ago": ago(beat),
        "last_consumed_seconds_ago": ago(consumed),
        "uptime_seconds": ago(started) if alive else None,
        "starts_last_hour": starts,
    }
    # A worker that has just started has consumed nothing yet: it stalls only if that lasts as long.
    busy_since = max(float(consumed or 0), float(started or 0))
    if not alive:
        state["status"] = "down"
    elif waiting and now - busy_since > STALLED_AFTER_SECONDS:
        state["status"] = "stalled"
    else:
        state["status"] = "up"
    return state
