"""A worker killed in the middle of a handler, whole or only its pool child: the event is handled after the restart,
once, within 30 s (the visibility timeout is 15 s; a lost pool child's message is requeued at once)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from shoplab.eventbus.celery_setup import QueueSender
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import inbox_rows, queue_idle, start_probes, wait_handled, write_lock
from tests.integration.bus.test_redelivery import shop_opened
from tests.stack import eventually

REDELIVERY_BOUND_SECONDS = 30


def hold_in_handler(stack, message: dict) -> None:
    """Send the message and wait until the worker has taken it and waits on our lock, inside its handler."""
    QueueSender()("crm", message)
    eventually(lambda: stack.redis.llen("crm") == 0 and stack.redis.hlen("unacked") == 1, message="taken")
    time.sleep(0.3)


@pytest.mark.slow
def test_a_worker_killed_mid_handler_handles_the_event_after_restart_once(stack):
    [worker] = start_probes(stack, ["crm"])
    message = shop_opened("killed-worker")
    with write_lock(stack, "crm"):
        hold_in_handler(stack, message)
        worker.kill()  # SIGKILL the main process and its pool child: no ack, no reject, nothing
        killed_at = time.monotonic()
    assert inbox_rows(stack, "crm") == 0
    worker.start()
    wait_handled(stack, ["crm"], message["id"], timeout=REDELIVERY_BOUND_SECONDS - (time.monotonic() - killed_at))
    eventually(lambda: queue_idle(stack, "crm"), message="crm drained")
    time.sleep(0.5)
    assert effects_by_event(stack.runtime("crm").db.engine) == {message["id"]: 1}
    assert inbox_rows(stack, "crm") == 1


def test_a_killed_pool_child_is_replaced_and_the_event_handled_once(stack):
    [worker] = start_probes(stack, ["crm"])
    [child] = worker.pool_children()
    message = shop_opened("killed-child")
    with write_lock(stack, "crm"):
        hold_in_handler(stack, message)
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        eventually(lambda: worker.pool_children() not in ([], [child]), message="a new pool child")
    wait_handled(stack, ["crm"], message["id"], timeout=REDELIVERY_BOUND_SECONDS - (time.monotonic() - killed_at))
    eventually(lambda: queue_idle(stack, "crm"), message="crm drained")
    time.sleep(0.5)
    assert worker.process.poll() is None  # the worker itself lived on
    assert effects_by_event(stack.runtime("crm").db.engine) == {message["id"]: 1}
    assert inbox_rows(stack, "crm") == 1
