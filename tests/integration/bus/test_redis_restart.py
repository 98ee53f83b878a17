"""Redis stopped and started again while events flow: producers keep committing, workers reconnect and go on
consuming, and every committed event is handled once (kombu has regressed here before: celery#10205, #10302)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from gateway.shops import open_shop
from shoplab.eventbus.tables import OutboxMessage
from tests.integration.bus.subscribers import assert_each_once, committed_events, queue_idle, start_probes
from tests.stack import Stack, eventually

SUBSCRIBERS = ("reviews", "crm")


class Producer(threading.Thread):
    """Opens a shop every 50 ms in the gateway, as instructors would, and notes when each one committed."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.db = stack.runtime("gateway").db
        self.running = threading.Event()
        self.running.set()
        self.committed_at: list[float] = []
        self.errors: list[BaseException] = []

    def run(self) -> None:
        n = 0
        while self.running.is_set():
            n += 1
            try:
                with self.db.writing() as session:
                    open_shop(session, name=f"Flow {n}", platform="ebay")
                self.committed_at.append(time.monotonic())
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
                return
            time.sleep(0.05)

    def stop(self) -> None:
        self.running.clear()
        self.join(30)
        assert not self.is_alive(), "the producer hangs"


@pytest.mark.slow
def test_workers_reconnect_after_a_redis_restart_and_nothing_committed_is_lost(own_redis_stack):
    stack, server = own_redis_stack
    stack.worker("gateway")
    start_probes(stack, SUBSCRIBERS)
    stack.beat()
    producer = Producer(stack)
    producer.start()
    time.sleep(1.0)

    server.stop()
    stopped_at = time.monotonic()
    time.sleep(3.0)
    server.start()
    restarted_at = time.monotonic()
    time.sleep(2.0)
    producer.stop()

    assert not producer.errors, producer.errors
    # writes went on while Redis was away: the relay left those events for the sweep instead of blocking
    assert any(stopped_at + 0.5 < t < restarted_at for t in producer.committed_at)
    assert any(t > restarted_at + 0.5 for t in producer.committed_at)

    def all_handled() -> bool:
        return all(set(committed_events(stack, service)) <= set(_handled(stack, service)) for service in SUBSCRIBERS)

    try:
        eventually(all_handled, timeout=45, interval=0.5, message="every committed event handled after the restart")
    except AssertionError as exc:  # say what is missing where, and what the workers said
        missing = {s: len(set(committed_events(stack, s)) - set(_handled(stack, s))) for s in SUBSCRIBERS}
        queues = {s: stack.redis.llen(s) for s in SUBSCRIBERS}
        logs = "\n".join(f"--- {w.node}\n{w.log()[-2500:]}" for w in stack.workers)
        raise AssertionError(f"missing {missing}, unsent {_unsent(stack)}, queued {queues}\n{logs}") from exc
    eventually(lambda: _unsent(stack) == 0, timeout=10, message="the whole outbox is marked sent")
    for service in SUBSCRIBERS:
        eventually(lambda service=service: queue_idle(stack, service), timeout=10, message=f"{service} drained")
    time.sleep(0.5)
    assert_each_once(stack, SUBSCRIBERS)

    # and the workers consume what comes after, not only the backlog
    with stack.runtime("gateway").db.writing() as session:
        last = open_shop(session, name="After the storm", platform="taobao").id
    for service in SUBSCRIBERS:
        eventually(lambda service=service: stack.client(service).get(f"/shops/{last}").status_code == 200, timeout=10)


def _handled(stack: Stack, service: str) -> list[str]:
    from shoplab.eventbus.tables import InboxEntry

    with stack.runtime(service).db.reading() as session:
        return list(session.scalars(select(InboxEntry.event_id)))


def _unsent(stack: Stack) -> int:
    with stack.runtime("gateway").db.reading() as session:
        return len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_wall_at.is_(None))).all())
