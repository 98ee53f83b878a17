"""Redis killed (SIGKILL) ten times and started again at once, as the supervisor does, while events flow: producers
keep committing, workers consume again within 10 s of each return, and in the end every committed event is handled
exactly once by each subscriber (kombu has regressed here before: celery#10205, #10302)."""

from __future__ import annotations

import random
import threading
import time

import pytest

from gateway.shops import open_shop
from shoplab.eventbus.celery_setup import QueueSender
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import (
    assert_each_once,
    inbox_rows,
    outlast_redelivery,
    start_probes,
    wait_settled,
    write_lock,
    writer_waiting,
)
from tests.integration.bus.test_redelivery import shop_opened
from tests.stack import Stack, eventually

SUBSCRIBERS = ("reviews", "crm")
KILLS = 10
CONSUME_AGAIN_WITHIN_SECONDS = 10


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
def test_redis_killed_ten_times_while_events_flow_loses_and_doubles_nothing(own_redis_stack):
    stack, server = own_redis_stack
    stack.worker("gateway")  # its sweep sends what the relay could not, and reads the confirmations
    start_probes(stack, SUBSCRIBERS)
    stack.beat()
    producer = Producer(stack)
    producer.start()
    chance = random.Random(14)
    recoveries: list[float] = []
    probes: dict[str, list[str]] = {service: [] for service in SUBSCRIBERS}  # events the test put in each queue
    for kill in range(1, KILLS + 1):
        time.sleep(chance.uniform(0.5, 1.5))
        server.kill()
        killed_at = time.monotonic()
        time.sleep(chance.uniform(0.0, 1.0))
        server.start()  # at once, as the supervisor does (it waits for Redis to answer)
        back_at = time.monotonic()
        for service in SUBSCRIBERS:
            probes[service].append(jump_the_queue(stack, service, f"probe-{kill}-{service}"))
            eventually(
                lambda service=service, probe=probes[service][-1]: inbox_rows(stack, service, probe) == 1,
                timeout=CONSUME_AGAIN_WITHIN_SECONDS,
                interval=0.05,
                message=f"{service} consumes again within {CONSUME_AGAIN_WITHIN_SECONDS} s after kill {kill}",
            )
        recoveries.append(time.monotonic() - back_at)
        # writes went on while Redis was away: the relay left those events for the sweep instead of blocking
        assert any(killed_at < t < back_at for t in producer.committed_at) or back_at - killed_at < 0.2
    producer.stop()
    assert not producer.errors, producer.errors
    print(f"consuming again after Redis's return (s): {', '.join(f'{r:.1f}' for r in recoveries)}")

    wait_settled(stack, SUBSCRIBERS, sweep=False, timeout=90)  # the producer's worker confirms, sends, sends again
    assert_each_once(stack, SUBSCRIBERS, ignore=[probe for ids in probes.values() for probe in ids])
    for service, ids in probes.items():
        handled = effects_by_event(stack.runtime(service).db.engine)
        assert [handled.get(probe) for probe in ids] == [1] * KILLS, f"{service}: the test's own events"

    # and the workers consume what comes after, not only the backlog
    with stack.runtime("gateway").db.writing() as session:
        last = open_shop(session, name="After the storm", platform="taobao").id
    for service in SUBSCRIBERS:
        eventually(lambda service=service: stack.client(service).get(f"/shops/{last}").status_code == 200, timeout=10,
                   message=f"{service} hears of a shop opened after the storm")  # fmt: skip


def jump_the_queue(stack: Stack, service: str, shop_id: str) -> str:
    """Put an event at the end of the service's queue its worker takes from next (the relay pushes at the other
    end), so its handling shows the worker consumes again, whatever backlog waits behind it. Returns its id."""
    message = shop_opened(shop_id)
    stack.redis.rpush(service, QueueSender().task_message(service, message))
    return message["id"]


def test_a_worker_whose_ack_failed_while_redis_was_away_consumes_again(own_redis_stack):
    """A handler finishes while Redis is down for a moment: its ack fails. kombu noted the ack locally only once Redis
    had taken it, so the message kept its place in the worker's prefetch window (1) and the worker never asked for
    another; with no command waiting on its consuming connection it did not notice Redis going and coming back unless
    its unacked-restore timer (every 2 s) happened to run meanwhile. Found by the chaos test: alive, beating,
    consuming nothing, for good. Three times over, so the moment falls between two of those timers."""
    stack, server = own_redis_stack
    [worker] = start_probes(stack, ["crm"])
    handled = []
    for attempt in range(3):
        held = shop_opened(f"acked-into-the-void-{attempt}")
        with write_lock(stack, "crm"):
            QueueSender()("crm", held)
            # In the handler, waiting for the lock, not only taken off the queue: a message the worker's main process
            # has taken but not yet handed to its pool child when the connection drops is dropped by Celery (it comes
            # back after the visibility timeout, 17 s), and this test is about a handler whose ack fails.
            eventually(lambda: writer_waiting(stack, "crm"), message="in the handler")
            server.kill()
        # the handler commits as soon as the lock is gone, then its ack fails: Redis is away
        eventually(lambda held=held: inbox_rows(stack, "crm", held["id"]) == 1, interval=0.01, message="handled")
        time.sleep(0.05)
        server.start()
        after = shop_opened(f"after-redis-came-back-{attempt}")
        QueueSender()("crm", after)
        eventually(
            lambda after=after: inbox_rows(stack, "crm", after["id"]) == 1,
            timeout=CONSUME_AGAIN_WITHIN_SECONDS,
            message=f"the worker consumes again (attempt {attempt + 1})",
        )
        handled += [held["id"], after["id"]]
    outlast_redelivery(time.monotonic())  # the held ones come back from unacked: the inbox absorbs them
    wait_settled(stack, ["crm"], sweep=False)
    assert effects_by_event(stack.runtime("crm").db.engine) == dict.fromkeys(handled, 1)
