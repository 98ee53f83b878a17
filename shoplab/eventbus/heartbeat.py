"""Workers tell Redis they are alive and when they last consumed; ``/healthz`` reads it."""

from __future__ import annotations

import threading
import time
from typing import Any

import redis

BEAT_SECONDS = 2.0
ALIVE_TTL_SECONDS = 10
STALLED_AFTER_SECONDS = 30  # messages waiting and nothing consumed for this long


def alive_key(service: str) -> str:
    return f"shoplab:worker:{service}:alive"


def consumed_key(service: str) -> str:
    return f"shoplab:worker:{service}:consumed_at"


def started_key(service: str) -> str:
    return f"shoplab:worker:{service}:started_at"


class Heartbeat:
    """The worker's "alive" key, renewed every couple of seconds; removed on a clean stop, so /healthz says down
    at once instead of when the key expires."""

    def __init__(self, client: redis.Redis, service: str) -> None:
        self.client = client
        self.service = service
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"{service}-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        try:
            self.client.set(started_key(self.service), time.time())
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
            try:
                self.client.set(alive_key(self.service), time.time(), ex=ALIVE_TTL_SECONDS)
            except redis.RedisError:
                pass  # Redis is away; the worker reconnects by itself and we beat again
            self._stopped.wait(BEAT_SECONDS)


def start_heartbeat(client: redis.Redis, service: str) -> Heartbeat:
    return Heartbeat(client, service).start()


_last_recorded: dict[str, float] = {}


def record_consumed(client: redis.Redis, service: str) -> None:
    """Note that the worker consumed; at most once a second, so a busy worker does not pay a round trip per event."""
    now = time.time()
    if now - _last_recorded.get(service, 0.0) < 1.0:
        return
    try:
        client.set(consumed_key(service), now)
        _last_recorded[service] = now
    except redis.RedisError:
        pass


def worker_state(client: redis.Redis, service: str, queue: str) -> dict[str, Any]:
    now = time.time()
    alive, consumed, started = client.mget(alive_key(service), consumed_key(service), started_key(service))
    waiting = client.llen(queue)
    state: dict[str, Any] = {
        "queue": queue,
        "waiting": waiting,
        "last_heartbeat_seconds_ago": round(now - float(alive), 1) if alive else None,
        "last_consumed_seconds_ago": round(now - float(consumed), 1) if consumed else None,
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
