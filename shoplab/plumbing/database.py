"""A service's database: engine, sessions that relay their events after commit, and migrations at start."""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from shoplab.eventbus.outbox import PENDING, SOURCE, Relay
from shoplab.eventbus.relay_thread import RelayThread

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False, "factory": GatedSqliteConnection}
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE for writers, so read-then-write races wait instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    database = engine.url.database
    gate = f"{database}.writers" if database and database != ":memory:" and not database.startswith("file:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        dbapi_conn = conn.connection.dbapi_connection
        if immediate and gate:
            dbapi_conn.enter_gate(gate)
        # straight to the driver: through SQLAlchemy's execution path this statement cost as much as a query
        dbapi_conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


_held = threading.local()  # the gates this thread holds: a nested writer of the same thread must not wait on itself


class GatedSqliteConnection(sqlite3.Connection):
    """Writers queue on a file lock beside the database before ``BEGIN IMMEDIATE`` and leave it at COMMIT/ROLLBACK.

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to 100 ms), so under load
    writers sleep past the moment the lock came free and the CPU idles. Waiting on ``flock`` instead, the next writer,
    in any thread or process, is woken by the kernel as soon as the last one has committed."""

    _gate: TextIO | None = None

    def enter_gate(self, path: str) -> None:
        held: set[str] = _held.__dict__.setdefault("paths", set())
        if path in held:
            return  # this thread is a writer already (on another connection): SQLite's own wait applies
        if self._gate is None:
            self._gate = open(path, "a")  # noqa: SIM115 - kept as long as the connection
        fcntl.flock(self._gate, fcntl.LOCK_EX)
        held.add(path)
        self._gate_path = path

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_gate()

    def close(self) -> None:
        self._leave_gate()
        if self._gate is not None:
            self._gate.close()
            self._gate = None
        super().close()

    def _leave_gate(self) -> None:
        path = self.__dict__.pop("_gate_path", None)
        if path is not None:
            _held.__dict__.get("paths", set()).discard(path)
            fcntl.flock(self._gate, fcntl.LOCK_UN)


class Database:
    """The service's engine and its two kinds of session: ``writing()`` for changes, ``reading()`` for queries."""

    def __init__(self, service: str, url: str) -> None:
        self.service = service
        self.url = url
        self.engine = make_engine(url)
        self.relay: Relay | RelayThread | None = None
        writer_bind = self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        self._writer = sessionmaker(bind=writer_bind, expire_on_commit=False, info={SOURCE: service})
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False, info={SOURCE: service})
        event.listen(self._writer, "after_commit", self._after_commit)
        event.listen(self._writer, "after_rollback", self._after_rollback)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        """A session for changes; events it publishes are relayed right after it commits."""
        return self._writer()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def _after_commit(self, session: Session) -> None:
        events = session.info.pop(PENDING, [])
        if events and self.relay is not None:
            self.relay.relay(events)

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(PENDING, None)


def upgrade_schema(db: Database, version_locations: list[Path]) -> None:
    """Bring the database to the newest schema; several processes may start at once, so take a lock first."""
    from shoplab.migrations.runner import upgrade

    if db.is_sqlite:
        db_path = Path(db.engine.url.database or "")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{db_path}.migrate.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            upgrade(db.engine, version_locations)
        return
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": f"shoplab-migrate-{db.service}"})
        try:
            upgrade(db.engine, version_locations)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": f"shoplab-migrate-{db.service}"})
            conn.commit()
