"""Live notifications per shop, in Redis: "something in this shop changed, look again".

The durable truth stays in the services' databases and on the bus; this is only the doorbell. The gateway's worker
calls :func:`notify` for each event it handles (``gateway/handlers.py``); one Lua call (atomic, one round trip)
numbers the notification with the shop's sequence (``INCR``), keeps the last ``KEEP`` of them in a capped list for
clients that reconnect (``Last-Event-ID``), and publishes it on the shop's channel (PUB/SUB: only a ping; a stream
that missed one finds it in the list). Each web process has one subscriber thread (:class:`Hub`) that hands the
pings to the streams open in that process.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from datetime import UTC, datetime
from typing import Any

import redis

from shoplab import settings

log = logging.getLogger(__name__)

KEEP = 500  # notifications kept per shop for catch-up
EXPIRE_SECONDS = 30 * 86400
PATTERN = "gw:live:*"
RESYNC = object()  # put in every stream's queue after the subscriber reconnected: they read the list again

_NOTIFY = """
local seq = redis.call('INCR', KEYS[1])
local entry = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('LPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[3], entry)
return seq
"""


_CLIENT: list[redis.Redis] = []


def redis_client() -> redis.Redis:
    """This process's client for notifications (redis-py's pool makes a fresh connection after a fork)."""
    if not _CLIENT:
        _CLIENT.append(redis.Redis.from_url(settings.redis_url(), socket_timeout=2, socket_connect_timeout=2))
    return _CLIENT[0]


def _keys(shop_id: str) -> tuple[str, str, str]:
    return f"gw:seq:{shop_id}", f"gw:log:{shop_id}", f"gw:live:{shop_id}"


def notify(client: redis.Redis, shop_id: str, event_type: str, ids: dict[str, Any], occurred_at=None) -> int:
    """Number, keep and publish one notification; its sequence number."""
    entry = {
        "type": event_type,
        "shop_id": shop_id,
        "ids": ids,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "notified_at": datetime.now(UTC).isoformat(),
    }
    script = client.register_script(_NOTIFY)
    return int(script(keys=_keys(shop_id), args=[json.dumps(entry, default=str), KEEP, EXPIRE_SECONDS]))


def current_seq(client: redis.Redis, shop_id: str) -> int:
    return int(client.get(_keys(shop_id)[0]) or 0)


def since(client: redis.Redis, shop_id: str, after: int) -> tuple[list[dict], bool]:
    """The kept notifications after ``after``, oldest first, and whether they are all there are (False: some were
    dropped from the capped list, or the sequence is not the one the client knew: it must reload everything)."""
    seq_key, log_key, _ = _keys(shop_id)
    pipe = client.pipeline(transaction=True)
    pipe.get(seq_key)
    pipe.lrange(log_key, 0, KEEP - 1)
    current, raw = pipe.execute()
    current = int(current or 0)
    entries = sorted((json.loads(item) for item in raw), key=lambda e: e["seq"])
    newer = [entry for entry in entries if entry["seq"] > after]
    if after > current:
        return newer, False
    complete = after >= current or (bool(newer) and newer[0]["seq"] == after + 1)
    return newer, complete


class Hub:
    """One subscriber thread per process; each open stream has a queue here for its shop's pings."""

    def __init__(self) -> None:
        self._streams: dict[str, set[queue.Queue]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def subscribe(self, shop_id: str) -> queue.Queue:
        inbox: queue.Queue = queue.Queue(maxsize=1000)
        with self._lock:
            self._streams.setdefault(shop_id, set()).add(inbox)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="live-hub", daemon=True)
                self._thread.start()
        return inbox

    def unsubscribe(self, shop_id: str, inbox: queue.Queue) -> None:
        with self._lock:
            streams = self._streams.get(shop_id)
            if streams is not None:
                streams.discard(inbox)
                if not streams:
                    del self._streams[shop_id]

    def open_streams(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._streams.values())

    def _deliver(self, shop_id: str, item: Any) -> None:
        with self._lock:
            targets = (
                list(self._streams.get(shop_id, ())) if shop_id else [q for s in self._streams.values() for q in s]
            )
        for inbox in targets:
            try:
                inbox.put_nowait(item)
            except queue.Full:  # a stream that stopped reading: it reads the list when it wakes
                pass

    def _listen(self) -> None:
        backoff = 0.5
        while True:
            try:
                client = redis.Redis.from_url(settings.redis_url(), socket_connect_timeout=2, health_check_interval=30)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PATTERN)
                self._deliver("", RESYNC)  # anything published while we were away is in the lists
                backoff = 0.5
                for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        channel = message["channel"].decode()
                        self._deliver(channel.removeprefix("gw:live:"), json.loads(message["data"]))
            except (redis.RedisError, OSError) as exc:
                # said once an outage; the streams catch up from the lists when the subscription is back
                (log.warning if backoff == 0.5 else log.debug)(
                    "live notifications: Redis subscription lost (%s); trying again", exc
                )
                threading.Event().wait(backoff)
                backoff = min(backoff * 2, 10)


HUB = Hub()
