"""Relaying from a thread of the web process: sent in the order committed, marked sent soon after (without further
traffic), and left unmarked for the sweep when the broker refuses."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from shoplab.eventbus.outbox import Relay, publish
from shoplab.eventbus.relay_thread import RelayThread
from shoplab.eventbus.tables import BusBase, OutboxMessage
from shoplab.plumbing.database import Database
from tests.stack import eventually

CLOCK = {"wall_anchor": "2026-11-02T09:00:00+00:00", "sim_anchor": "2026-11-02T09:00:00+00:00", "speed": 1.0,
         "paused": False}  # fmt: skip


class Broker:
    """Stands in for the queues: records what it is given, or refuses while ``down``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = threading.Event()

    def __call__(self, queue: str, message: dict) -> None:
        if self.down.is_set():
            raise ConnectionError("broker away")
        self.sent.append((queue, message["id"]))


def setup(tmp_path) -> tuple[Database, Broker, RelayThread]:
    db = Database("gateway", f"sqlite:///{tmp_path / 'gateway.sqlite3'}")
    BusBase.metadata.create_all(db.engine)
    broker = Broker()
    db.relay = RelayThread(Relay(db.engine, broker))
    return db, broker, db.relay


def commit_clock_change(db: Database, version: int) -> str:
    with db.writing() as session:
        payload = {"shop_id": "s1", "clock": {**CLOCK, "version": version}}
        event = publish(session, "shop.clock_changed", shop_id="s1", payload=payload)
    return event.id


def unsent(db: Database) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_wall_at.is_(None))))


def test_events_are_sent_in_commit_order_and_marked_soon_after_without_more_traffic(tmp_path):
    db, broker, relay = setup(tmp_path)
    ids = [commit_clock_change(db, version) for version in range(1, 31)]
    eventually(lambda: len(broker.sent) == 30 * 4, timeout=5)
    assert [event_id for queue, event_id in broker.sent if queue == "crm"] == ids
    eventually(lambda: not unsent(db), timeout=3, message="marked within the mark interval, with no further commit")


def test_flush_waits_for_the_send_and_the_mark(tmp_path):
    db, broker, relay = setup(tmp_path)
    event_id = commit_clock_change(db, 1)
    assert relay.flush(5)
    assert ("orders", event_id) in broker.sent and not unsent(db)


def test_a_refused_send_is_left_unmarked_for_the_sweep_and_the_thread_goes_on(tmp_path):
    db, broker, relay = setup(tmp_path)
    broker.down.set()
    refused = commit_clock_change(db, 1)
    assert relay.flush(5)
    assert unsent(db) == {refused}
    broker.down.clear()
    later = commit_clock_change(db, 2)
    assert relay.flush(5)
    assert unsent(db) == {refused} and ("crm", later) in broker.sent
    assert relay.sweep(older_than=timedelta(0)).sent == 1  # the repair path sends what the thread could not
    assert not unsent(db)


def test_marks_that_fail_are_tried_again(tmp_path):
    db, broker, relay = setup(tmp_path)
    marks = {"refused": 0}
    mark_sent = relay.inner.mark_sent

    def refuse_once(sent: list[tuple[str, str]]) -> None:
        if not marks["refused"]:
            marks["refused"] += 1
            raise ConnectionError("database away")
        mark_sent(sent)

    relay.inner.mark_sent = refuse_once
    first = commit_clock_change(db, 1)
    assert relay.flush(5) is False  # sent, but not marked yet
    assert ("crm", first) in broker.sent and unsent(db) == {first}
    assert relay.flush(5) is True and not unsent(db)
