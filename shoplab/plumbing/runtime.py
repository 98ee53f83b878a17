"""What one service is made of, wired in one place and shared by its web process and its worker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import redis
from sqlalchemy import MetaData

from shoplab import settings
from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.consumer import Consumer, Handler
from shoplab.eventbus.outbox import Relay
from shoplab.eventbus.relay_thread import RelayThread
from shoplab.eventbus.subscriptions import SUBSCRIPTIONS
from shoplab.plumbing.database import Database, upgrade_schema


@dataclass(frozen=True)
class ServiceSpec:
    """A service's parts: its name, the events it handles, its models' metadata and its migrations."""

    name: str
    handlers: Mapping[str, Handler]
    metadata: MetaData | None = None
    migrations: Path | None = None
    title: str = ""

    def __post_init__(self) -> None:
        expected = SUBSCRIPTIONS[self.name]
        if set(self.handlers) != expected:
            raise ValueError(
                f"{self.name}: handlers {sorted(self.handlers)} do not match subscriptions {sorted(expected)}"
            )


class ServiceRuntime:
    """Database, relay, consumer and Redis client of one service in one process (created after any fork)."""

    def __init__(self, spec: ServiceSpec, database_url: str | None = None, *, relay_thread: bool = False) -> None:
        self.spec = spec
        self.database_url = database_url or settings.database_url(spec.name)
        # Web processes relay from a thread so requests do not wait on Redis; workers and scripts relay inline.
        self.relay_thread = relay_thread

    @cached_property
    def db(self) -> Database:
        db = Database(self.spec.name, self.database_url)
        relay = Relay(db.engine, QueueSender())
        db.relay = RelayThread(relay) if self.relay_thread else relay
        return db

    @cached_property
    def consumer(self) -> Consumer:
        return Consumer(self.spec.name, self.db.session, self.spec.handlers)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(settings.redis_url(), socket_timeout=1, socket_connect_timeout=1)

    def migrate(self) -> None:
        upgrade_schema(self.db, [self.spec.migrations] if self.spec.migrations else [])
