"""A worker killed in the middle of a handler, whole or only its pool child: the event is handled after the restart,
once, within 30 s (the visibility timeout is 15 s; a lost pool child's message is requeued at once)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from shoplab.eventbus.celery_setup import QueueSender
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import (
    inbox_rows,
    outlast_redelivery,
    start_probes,
    wait_handled,
    wait_settled,
    write_lock,
)
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
    outlast_redelivery(killed_at)  # a copy the killed worker held would be back by now
    wait_settled(stack, ["crm"], sweep=False)
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
    outlast_redelivery(killed_at)
    wait_settled(stack, ["crm"], sweep=False)
    assert worker.process.poll() is None  # the worker itself lived on
    assert effects_by_event(stack.runtime("crm").db.engine) == {message["id"]: 1}
    assert inbox_rows(stack, "crm") == 1


def broker_connections(pid: int, port: int) -> int:
    """TCP connections to the broker's port that process ``pid`` holds open (Linux: /proc)."""
    to_broker = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port:
                to_broker.add(fields[9])  # the socket's inode
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in to_broker
    return held


def test_a_pool_child_keeps_no_broker_connection_of_its_main_process(stack):
    """A child forked to replace a dead one is a copy of a main process that is connected to Redis, and used to keep
    those connections open, the one waiting in BRPOP among them: had the child outlived a killed main process, Redis
    would have handed the next message to a connection nobody reads. (Celery also has the kernel kill its children
    with the main process; this makes the child independent of that.)"""
    [worker] = start_probes(stack, ["crm"])
    port = urlparse(stack.redis_url).port
    assert broker_connections(worker.process.pid, port) >= 1  # the main process is connected
    [child] = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    [replacement] = eventually(lambda: [pid for pid in worker.pool_children() if pid != child], message="re-forked")
    eventually(lambda: broker_connections(replacement, port) == 0, timeout=5, message="the child let go of them")
    message = shop_opened("after-the-refork")  # and the new child works, with connections of its own
    QueueSender()("crm", message)
    wait_handled(stack, ["crm"], message["id"])
