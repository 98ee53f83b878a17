"""What one service is made of, wired in one place and shared by its web process and its worker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import MetaData

from shoplab import settings
from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.confirmations import Confirmer, confirmation_client
from shoplab.eventbus.consumer import Consumer, Handler
from shoplab.eventbus.outbox import Relay
from shoplab.eventbus.relay_thread import RelayThread
from shoplab.plumbing.database import Database, upgrade_schema
from shoplab.shops.timer_runner import ShopTimer
from shoplab.topology import SERVICES, Service


@dataclass(frozen=True)
class ServiceSpec:
    """A service's parts: its name, the events it handles, its timers, its models' metadata and its migrations.

    The handlers must be exactly the event types its topology entry subscribes to, and the timers exactly the
    timers it schedules: a subscription or a timer without code (or code nobody calls) cannot slip in."""

    name: str
    handlers: Mapping[str, Handler]
    metadata: MetaData | None = None
    migrations: Path | None = None
    timers: Mapping[str, ShopTimer] = field(default_factory=dict)
    public: bool = False  # the gateway: its routes are for people, not only for holders of the internal credential

    def __post_init__(self) -> None:
        service = SERVICES[self.name]
        if set(self.handlers) != service.subscribes:
            raise ValueError(
                f"{self.name}: handlers {sorted(self.handlers)} do not match subscriptions "
                f"{sorted(service.subscribes)} (shoplab/topology.py)"
            )
        if set(self.timers) != set(service.timers):
            raise ValueError(
                f"{self.name}: timers {sorted(self.timers)} do not match the topology's {sorted(service.timers)}"
            )

    @property
    def service(self) -> Service:
        return SERVICES[self.name]

    @property
    def title(self) -> str:
        return self.service.title


class ServiceRuntime:
    """Database, relay, consumer and Redis client of one service in one process (created after any fork).

    ``parts`` holds what a service adds to its runtime (the orders service's order writer): reached as
    ``runtime.parts[name]``, set once by the service's app factory."""

    def __init__(self, spec: ServiceSpec, database_url: str | None = None, *, relay_thread: bool = False) -> None:
        self.spec = spec
        self.database_url = database_url or settings.database_url(spec.name)
        # Web processes relay from a thread so requests do not wait on Redis; workers and scripts relay inline.
        self.relay_thread = relay_thread
        self.parts: dict[str, Any] = {}

    @cached_property
    def db(self) -> Database:
        db = Database(self.spec.name, self.database_url)
        sender = QueueSender()
        relay = Relay(db.engine, sender, producer=self.spec.name, broker=sender.redis)
        db.relay = RelayThread(relay) if self.relay_thread else relay
        return db

    @cached_property
    def consumer(self) -> Consumer:
        return Consumer(self.spec.name, self.db.session, self.spec.handlers)

    @cached_property
    def confirmer(self) -> Confirmer:
        """Tells producers which events this service has recorded (see ``shoplab.eventbus.confirmations``)."""
        return Confirmer(self.spec.name, confirmation_client(settings.redis_url()))

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(settings.redis_url(), socket_timeout=1, socket_connect_timeout=1)

    def migrate(self) -> None:
        upgrade_schema(self.db, [self.spec.migrations] if self.spec.migrations else [])


def load_spec(name: str) -> ServiceSpec:
    """A service's spec, found through the topology table."""
    module = __import__(SERVICES[name].spec_module, fromlist=["SPEC"])
    return module.SPEC
