"""The producer keeps after each event until every subscriber has confirmed it: a message the broker lost is sent
again to its subscriber alone, and a confirmation lost on the way back costs one repeat the inbox absorbs."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest

from shoplab.eventbus import deliveries
from shoplab.eventbus.confirmations import confirmations_key
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import (
    SUBSCRIBERS,
    assert_each_once,
    deliveries_of,
    event_of,
    open_shop,
    start_probes,
    wait_handled,
    wait_settled,
)
from tests.stack import eventually

RESEND_AFTER_SECONDS = 3  # the sweep in this test process sends again after this (20 s in a real run)


@pytest.fixture(autouse=True)
def quick_resend(monkeypatch):
    monkeypatch.setattr(deliveries, "RESEND_AFTER", timedelta(seconds=RESEND_AFTER_SECONDS))


def local_ports(pid: int) -> set[int]:
    inodes = {os.readlink(fd)[8:-1] for fd in Path(f"/proc/{pid}/fd").iterdir() if _is_socket(fd)}
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[9] in inodes:
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _is_socket(fd: Path) -> bool:
    try:
        return os.readlink(fd).startswith("socket:[")
    except OSError:
        return False


def blocked_in_brpop(stack, pid: int) -> bool:
    """Whether process ``pid`` has a BRPOP waiting in Redis right now (Redis hands it the next message)."""
    ports = local_ports(pid)
    return any(
        c.get("cmd") == "brpop" and "b" in c.get("flags", "") and int(c["addr"].rsplit(":", 1)[1]) in ports
        for c in stack.redis.client_list()
    )


def copies_for(stack, service: str) -> int:
    held = sum(json.loads(raw)[2] == service for raw in stack.redis.hvals("unacked"))
    return stack.redis.llen(service) + held


def lose_to_a_frozen_worker(stack, teacher, worker) -> str:
    """Open a shop while crm's worker is frozen (SIGSTOP) in BRPOP, then kill it: Redis has popped crm's message
    into the frozen process's socket, and kombu had not yet noted it as unacknowledged. The window a worker killed
    between taking a message and recording it falls into, held open. Returns the event's id."""
    for _ in range(20):
        os.kill(worker.process.pid, signal.SIGSTOP)
        if blocked_in_brpop(stack, worker.process.pid):
            shop = open_shop(stack, teacher, name=f"Lost {time.monotonic()}")
            event_id = event_of(stack, shop["id"])
            stack.runtime("gateway").db.relay.flush(5)
            time.sleep(0.2)
            if copies_for(stack, "crm") == 0:  # taken by the frozen BRPOP, not in the queue, not in unacked
                worker.kill()
                return event_id
        os.kill(worker.process.pid, signal.SIGCONT)  # its BRPOP had just timed out (each waits 1 s): try again
        eventually(lambda: copies_for(stack, "crm") == 0, message="crm drained")
        time.sleep(0.3)
    raise AssertionError("could not freeze crm's worker inside BRPOP")


def test_a_message_the_broker_lost_is_sent_again_to_that_subscriber_alone(stack, teacher):
    workers = dict(zip(SUBSCRIBERS, start_probes(stack, SUBSCRIBERS), strict=True))
    event_id = lose_to_a_frozen_worker(stack, teacher, workers["crm"])
    others = [service for service in SUBSCRIBERS if service != "crm"]
    wait_handled(stack, others, event_id)
    assert copies_for(stack, "crm") == 0  # gone: in no queue, not unacknowledged, nowhere kombu could restore it from

    workers["crm"].start()
    wait_settled(stack, SUBSCRIBERS)  # the sweep sends it again to crm after RESEND_AFTER_SECONDS
    assert deliveries_of(stack, event_id) == {"crm": (2, True), **{service: (1, True) for service in others}}
    assert_each_once(stack, SUBSCRIBERS)


def test_a_lost_confirmation_costs_one_repeat_that_the_inbox_absorbs(stack, teacher):
    [worker] = start_probes(stack, ["crm"])
    shop = open_shop(stack, teacher)
    event_id = event_of(stack, shop["id"])
    wait_handled(stack, ["crm"], event_id)
    key = confirmations_key("gateway")
    eventually(lambda: f"crm {event_id}".encode() in stack.redis.lrange(key, 0, -1), message="crm confirmed")
    stack.redis.delete(key)  # every confirmation on its way back is lost

    wait_settled(stack, ["crm"])
    assert deliveries_of(stack, event_id)["crm"] == (2, True)
    assert effects_by_event(stack.runtime("crm").db.engine)[event_id] == 1
    assert "'duplicate'" in worker.log()
