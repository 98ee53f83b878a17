"""The same event delivered twice, one after the other or at the same moment, has one effect."""

from __future__ import annotations

import time

from shoplab.eventbus.celery_setup import QueueSender
from shoplab.eventbus.envelope import make_event
from shoplab.shops.clock import ShopClock
from tests.integration.bus.probe_worker import effects_by_event
from tests.integration.bus.subscribers import (
    effects,
    inbox_rows,
    queue_idle,
    start_probes,
    wait_handled,
    write_lock,
)
from tests.stack import eventually


def shop_opened(shop_id: str) -> dict:
    clock = ShopClock.started().to_dict()
    payload = {"shop_id": shop_id, "name": f"Shop {shop_id}", "platform": "amazon", "currency": "USD", "clock": clock}
    event = make_event("shop.opened", shop_id=shop_id, source="gateway", payload=payload)
    return event.to_message()


def test_the_same_message_sent_twice_through_the_queue_has_one_effect(stack):
    [worker] = start_probes(stack, ["crm"])
    message = shop_opened("twice")
    send = QueueSender()
    send("crm", message)
    send("crm", message)

    wait_handled(stack, ["crm"], message["id"])
    eventually(lambda: queue_idle(stack, "crm") and worker.log().count("succeeded") == 2, message="both consumed")
    assert "'handled'" in worker.log() and "'duplicate'" in worker.log()
    assert inbox_rows(stack, "crm", message["id"]) == 1
    assert effects(stack, "crm", message["id"]) == 1
    assert stack.client("crm").get("/shops/twice").status_code == 200


def test_the_same_message_handled_by_two_workers_at_once_has_one_effect(stack):
    first, second = start_probes(stack, ["crm", "crm"])
    messages = [shop_opened(f"race{n}") for n in range(3)]
    send = QueueSender()
    with write_lock(stack, "crm"):
        for message in messages:
            send("crm", message)
            send("crm", message)
        # prefetch 1: each worker holds one copy and waits on the lock; the others stay in the queue
        eventually(lambda: stack.redis.hlen("unacked") == 2, message="both workers hold a delivery")
        time.sleep(0.3)
    for message in messages:
        wait_handled(stack, ["crm"], message["id"])
    eventually(lambda: queue_idle(stack, "crm"), message="all consumed")
    eventually(lambda: (first.log() + second.log()).count("succeeded") == 6, message="six deliveries done")
    assert effects_by_event(stack.runtime("crm").db.engine) == {message["id"]: 1 for message in messages}
    assert inbox_rows(stack, "crm") == 3
    assert "'duplicate'" in first.log() + second.log()
