"""Subscribers that count their effects, and ways to look at their inboxes and queues and at the producer."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, text

from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import Delivery, InboxEntry, OutboxMessage
from tests.integration.bus.probe_worker import count_effects, create_effects_table, effects_by_event
from tests.stack import Stack, Worker, eventually

PROBE_MODULE = "tests.integration.bus.probe_worker"
SUBSCRIBERS = ("orders", "tickets", "reviews", "crm")


def start_probes(stack: Stack, services: Iterable[str], concurrency: int = 1, **extra_env: str) -> list[Worker]:
    """Real workers of these services whose every committed handler execution leaves a row we can count."""
    workers = []
    for service in services:
        create_effects_table(stack.runtime(service).db.engine)
        env = stack.env(SHOPLAB_PROBE_SERVICE=service, **extra_env)
        workers.append(Worker(stack, service, env, PROBE_MODULE, concurrency).launch())
    stack.workers.extend(workers)
    for worker in workers:
        worker.wait_ready()
    return workers


def effects(stack: Stack, service: str, event_id: str) -> int:
    return count_effects(stack.runtime(service).db.engine, event_id)


def inbox_rows(stack: Stack, service: str, event_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(InboxEntry)
    if event_id is not None:
        stmt = stmt.where(InboxEntry.event_id == event_id)
    with stack.runtime(service).db.reading() as session:
        return session.scalar(stmt)


def wait_handled(stack: Stack, services: Iterable[str], event_id: str, timeout: float = 10.0) -> None:
    for service in services:
        eventually(
            lambda service=service: effects(stack, service, event_id) >= 1,
            timeout=timeout,
            message=f"{service} handled {event_id}",
        )


def assert_once(stack: Stack, services: Iterable[str], event_id: str) -> None:
    for service in services:
        assert inbox_rows(stack, service, event_id) == 1, f"{service} inbox"
        assert effects(stack, service, event_id) == 1, f"{service} effects"


def assert_each_once(
    stack: Stack, services: Iterable[str], producer: str = "gateway", ignore: Iterable[str] = ()
) -> None:
    """Every event the producer committed for a service took effect there exactly once, and nothing else did
    (but the events in ``ignore``, sent by the test itself)."""
    ignore = set(ignore)
    for service in services:
        expected = dict.fromkeys(committed_events(stack, service, producer), 1)
        assert expected, f"nothing was committed for {service}"
        effects = {event_id: n for event_id, n in effects_by_event(stack.runtime(service).db.engine).items()}
        missing = sorted(set(expected) - set(effects))
        doubled = {event_id: n for event_id, n in effects.items() if n > 1}
        assert not missing and not doubled, f"{service}: missing {missing}, doubled {doubled}"
        assert {e: n for e, n in effects.items() if e not in ignore} == expected, f"{service} effects"
        with stack.runtime(service).db.reading() as session:
            handled = [e for e in session.scalars(select(InboxEntry.event_id)) if e not in ignore]
        assert sorted(handled) == sorted(expected), f"{service} inbox"


def committed_events(stack: Stack, subscriber: str, producer: str = "gateway") -> list[str]:
    """Ids of the events the producer committed to its outbox so far that ``subscriber`` subscribes to."""
    with stack.runtime(producer).db.reading() as session:
        rows = session.execute(select(OutboxMessage.id, OutboxMessage.type).order_by(OutboxMessage.created_wall_at))
        return [event_id for event_id, kind in rows if subscriber in subscribers_of(kind)]


def open_deliveries(stack: Stack, subscribers: Iterable[str], producer: str = "gateway") -> dict[str, int]:
    """What the producer still owes these subscribers: events not yet sent, deliveries not yet confirmed."""
    wanted = set(subscribers)
    with stack.runtime(producer).db.reading() as session:
        unsent = session.execute(select(OutboxMessage.type).where(OutboxMessage.sent_wall_at.is_(None))).scalars()
        unconfirmed = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.confirmed_wall_at.is_(None), Delivery.subscriber.in_(wanted))
        )
        return {"unsent": sum(1 for kind in unsent if wanted & set(subscribers_of(kind))), "unconfirmed": unconfirmed}


def deliveries_of(stack: Stack, event_id: str, producer: str = "gateway") -> dict[str, tuple[int, bool]]:
    """Per subscriber: how often the producer sent the event there, and whether that subscriber confirmed it."""
    with stack.runtime(producer).db.reading() as session:
        rows = session.scalars(select(Delivery).where(Delivery.event_id == event_id)).all()
    return {row.subscriber: (row.attempts, row.confirmed_wall_at is not None) for row in rows}


def event_copies_in_redis(stack: Stack, subscribers: Iterable[str]) -> int:
    """Messages carrying an event that are still somewhere in Redis: waiting in a subscriber's queue, or taken by a
    worker and not acknowledged (kombu's ``unacked``, also what a killed worker held). Timer tasks do not count."""
    subscribers = set(subscribers)
    copies = 0
    for service in subscribers:
        copies += sum(_is_delivery(json.loads(raw)) for raw in stack.redis.lrange(service, 0, -1))
    for raw in stack.redis.hvals("unacked"):
        message, _, queue = json.loads(raw)
        copies += queue in subscribers and _is_delivery(message)
    return copies


def _is_delivery(message: dict) -> bool:
    return str(message.get("headers", {}).get("task", "")).endswith(".deliver")


def settled(stack: Stack, subscribers: Iterable[str], producer: str = "gateway") -> bool:
    """Nothing more can reach these subscribers: every event sent and confirmed by each of them, and no copy of an
    event left in Redis. Only then is "exactly once" worth asserting: a second effect could come only from a copy
    that still exists (a queued or unacknowledged message, which kombu puts back after its visibility timeout) or
    from the producer's sweep, which sends again only what is not confirmed."""
    subscribers = list(subscribers)
    return open_deliveries(stack, subscribers, producer) == {"unsent": 0, "unconfirmed": 0} and not (
        event_copies_in_redis(stack, subscribers)
    )


def wait_settled(
    stack: Stack, subscribers: Iterable[str], producer: str = "gateway", *, sweep: bool = True, timeout: float = 60
) -> float:
    """Wait until :func:`settled` holds on two looks half a second apart (a worker may hold a message for an instant
    between taking it and noting it unacknowledged); returns the seconds waited. ``sweep``: run the producer's sweep
    here, as its worker would when the scheduler asks (for tests that start neither)."""
    subscribers = list(subscribers)
    started = time.monotonic()
    streak = 0
    while streak < 2:
        if time.monotonic() - started > timeout:
            state = open_deliveries(stack, subscribers, producer)
            copies = event_copies_in_redis(stack, subscribers)
            queues = {service: stack.redis.llen(service) for service in subscribers}
            logs = "\n".join(f"--- {w.node}\n{w.log()[-2000:]}" for w in stack.workers)
            raise AssertionError(
                f"not settled within {timeout} s: {state}, {copies} event message(s) in Redis (queues {queues}, "
                f"unacked {stack.redis.hlen('unacked')})\n{logs}"
            )
        if sweep:
            stack.runtime(producer).db.relay.sweep()
        streak = streak + 1 if settled(stack, subscribers, producer) else 0
        time.sleep(0.5)
    return time.monotonic() - started


def outlast_redelivery(since: float) -> None:
    """Sleep until a message taken before ``since`` (monotonic) and never acknowledged would have come back: kombu
    puts such messages back after the visibility timeout, looking every ``restore_interval`` seconds."""
    from shoplab.settings import WorkerSettings

    settings = WorkerSettings()
    time.sleep(max(0.0, since + settings.visibility_timeout + settings.restore_interval + 1 - time.monotonic()))


def queue_idle(stack: Stack, service: str) -> bool:
    """Nothing waiting in the service's queue and nothing delivered but unacknowledged (kombu's ``unacked``)."""
    return stack.redis.llen(service) == 0 and stack.redis.hlen("unacked") == 0


def open_shop(stack: Stack, headers: dict[str, str], name: str = "Bus shop 测试店", platform: str = "ebay") -> dict:
    response = stack.client("gateway").post("/api/v1/shops", json={"name": name, "platform": platform}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def event_of(stack: Stack, shop_id: str, event_type: str = "shop.opened") -> str:
    """The id of the event the gateway committed for this shop."""
    with stack.runtime("gateway").db.reading() as session:
        ids = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.shop_id == shop_id, OutboxMessage.type == event_type)
        ).all()
    assert len(ids) == 1, ids
    return ids[0]


@contextmanager
def write_lock(stack: Stack, service: str) -> Iterator[None]:
    """Hold the service database's write lock, so its handlers wait inside their transaction until we let go."""
    engine = stack.runtime(service).db.engine
    if stack.backend == "sqlite":
        with engine.execution_options(sqlite_immediate=True).connect() as conn, conn.begin() as transaction:
            try:
                yield
            finally:
                transaction.rollback()
        return
    with engine.connect() as conn, conn.begin() as transaction:
        # Plain reads go on (a delivery looks into the inbox and finds nothing); every write waits.
        conn.execute(text("LOCK TABLE inbox, shops IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()


def writer_waiting(stack: Stack, service: str) -> bool:
    """Some process waits for the service database's write lock (held with :func:`write_lock`): a handler is inside
    its transaction, not merely taken off the queue by the worker's main process."""
    engine = stack.runtime(service).db.engine
    if stack.backend == "sqlite":
        # writers queue on an flock of <database>.writers (shoplab/plumbing/database.py); a waiter shows in
        # /proc/locks as "-> FLOCK ... <major>:<minor>:<inode> ..."
        inode = os.stat(f"{engine.url.database}.writers").st_ino
        with open("/proc/locks") as locks:
            return any("->" in line and f":{inode} " in line for line in locks)
    with engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))
