"""SQLite writers queue on the database's writer gate: serialised across threads and processes, none refused, and
the gate is free again as soon as a transaction has committed or rolled back."""

from __future__ import annotations

import fcntl
import multiprocessing
import threading
import time

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, text, update

from shoplab.plumbing.database import Database

metadata = MetaData()
counter = Table("counter", metadata, Column("id", Integer, primary_key=True), Column("value", Integer))


@pytest.fixture
def db(tmp_path):
    database = Database("test", f"sqlite:///{tmp_path / 'test.sqlite3'}")
    metadata.create_all(database.engine)
    with database.writing() as session:
        session.execute(counter.insert().values(id=1, value=0))
    yield database
    database.engine.dispose()


def increment(db: Database, times: int) -> None:
    for _ in range(times):
        with db.writing() as session:  # read, think, write: a lost update if writers overlapped
            value = session.scalar(select(counter.c.value).where(counter.c.id == 1))
            time.sleep(0.001)
            session.execute(update(counter).where(counter.c.id == 1).values(value=value + 1))


def _increment_in_process(url: str, times: int) -> None:
    database = Database("test", url)
    threads = [threading.Thread(target=increment, args=(database, times)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def value(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(counter.c.value))


def gate_is_free(db: Database) -> bool:
    with open(f"{db.engine.url.database}.writers", "a") as gate:
        try:
            fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(gate, fcntl.LOCK_UN)
        return True


def test_writers_of_several_processes_and_threads_take_turns(db):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_increment_in_process, args=(db.url, 20)) for _ in range(3)]
    for process in processes:
        process.start()
    increment(db, 20)
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    assert value(db) == 3 * 3 * 20 + 20


def test_the_gate_is_held_for_the_transaction_only(db):
    with db.writing() as session:
        session.execute(update(counter).values(value=5))
        assert not gate_is_free(db)  # another writer would queue now
    assert gate_is_free(db)
    with pytest.raises(LookupError), db.writing() as session:
        session.execute(update(counter).values(value=6))
        raise LookupError("the request failed after its first write")
    assert gate_is_free(db) and value(db) == 5  # rolled back, and the gate left
    with db.reading() as session:  # readers never queue
        session.execute(text("SELECT 1"))
        assert gate_is_free(db)


def test_a_writer_after_commit_in_the_same_thread_gets_the_gate(tmp_path):
    """The inline relay of workers marks rows sent right after the commit, in the committing thread."""
    from shoplab.eventbus.outbox import Relay, publish
    from shoplab.eventbus.tables import BusBase, OutboxMessage

    database = Database("gateway", f"sqlite:///{tmp_path / 'bus.sqlite3'}")
    BusBase.metadata.create_all(database.engine)
    sent: list[tuple[str, dict]] = []
    database.relay = Relay(database.engine, lambda queue, message: sent.append((queue, message)))
    clock = {"wall_anchor": "2026-11-02T09:00:00+00:00", "sim_anchor": "2026-11-02T09:00:00+00:00", "speed": 1.0,
             "paused": False, "version": 2}  # fmt: skip
    with database.writing() as session:
        publish(session, "shop.clock_changed", shop_id="s1", payload={"shop_id": "s1", "clock": clock})
    assert {queue for queue, _ in sent} == {"orders", "tickets", "reviews", "crm"}
    with database.reading() as session:
        assert session.scalar(select(OutboxMessage.sent_wall_at)) is not None
    assert gate_is_free(database)
    database.engine.dispose()
