"""A crash between commit and send loses nothing: the scheduler's sweep sends what the relay did not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gateway.shops import open_shop
from shoplab.eventbus import deliveries
from shoplab.eventbus.outbox import Relay
from shoplab.eventbus.tables import OutboxMessage
from tests.integration.bus.subscribers import (
    assert_each_once,
    deliveries_of,
    event_of,
    queue_idle,
    start_probes,
    wait_handled,
)
from tests.stack import eventually

SUBSCRIBERS = ("reviews", "crm")  # two of the four are enough to see the fan-out


def refuse(service: str, message: dict) -> None:
    raise ConnectionError("Redis went away")


def unsent(stack) -> list[str]:
    with stack.runtime("gateway").db.reading() as session:
        return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_wall_at.is_(None))))


def test_events_committed_but_never_sent_are_delivered_by_the_sweep(stack):
    db = stack.runtime("gateway").db
    # the process dies right after commit: nothing is sent at all
    db.relay = None
    with db.writing() as session:
        crashed = open_shop(session, name="Crashed after commit", platform="taobao").id
    # the broker refuses the send: the relay gives up and leaves the row for the sweep
    db.relay = Relay(db.engine, refuse)
    with db.writing() as session:
        refused = open_shop(session, name="Send refused", platform="aliexpress").id
    events = [event_of(stack, crashed), event_of(stack, refused)]
    assert sorted(unsent(stack)) == sorted(events)
    assert all(stack.redis.llen(service) == 0 for service in ("orders", "tickets", "reviews", "crm"))

    stack.worker("gateway")  # the sweep runs on the producer's own worker...
    start_probes(stack, SUBSCRIBERS)
    stack.beat()  # ...when the scheduler asks for it
    for event_id in events:
        wait_handled(stack, SUBSCRIBERS, event_id, timeout=20)
    eventually(lambda: not unsent(stack), message="outbox marked sent")
    with db.reading() as session:
        refused_row = session.get(OutboxMessage, events[1])
        assert refused_row.attempts == 1 and refused_row.sent_wall_at is not None
    for service in SUBSCRIBERS:
        eventually(lambda service=service: queue_idle(stack, service), message=f"{service} drained")
    assert_each_once(stack, SUBSCRIBERS)


def test_the_sweep_sends_again_only_what_a_subscriber_s_queue_no_longer_holds(stack, monkeypatch):
    monkeypatch.setattr(deliveries, "RESEND_AFTER", timedelta(0))  # every unconfirmed delivery is due at once
    db = stack.runtime("gateway").db
    with db.writing() as session:
        shop_id = open_shop(session, name="Waiting 排队中", platform="ebay").id
    assert db.relay.flush(5)
    event_id = event_of(stack, shop_id)
    subscribers = ("orders", "tickets", "reviews", "crm")

    # nobody consumes: every copy still waits in its queue, so sending more would only lengthen the queues
    report = db.relay.sweep()
    assert (report.resent, report.held) == (0, 4)
    assert deliveries_of(stack, event_id) == dict.fromkeys(subscribers, (1, False))

    stack.redis.delete("crm")  # crm's copy is gone (taken and lost): crm's queue holds nothing that old any more
    report = db.relay.sweep()
    assert (report.resent, report.held) == (1, 3)
    assert deliveries_of(stack, event_id) == {**dict.fromkeys(subscribers, (1, False)), "crm": (2, False)}
    assert [stack.redis.llen(service) for service in subscribers] == [1, 1, 1, 1]
