"""A service's database: engine, sessions that relay their events after commit, and migrations at start."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from shoplab.eventbus.outbox import PENDING, SOURCE, Relay

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
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

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The service's engine and its two kinds of session: ``writing()`` for changes, ``reading()`` for queries."""

    def __init__(self, service: str, url: str) -> None:
        self.service = service
        self.url = url
        self.engine = make_engine(url)
        self.relay: Relay | None = None
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
