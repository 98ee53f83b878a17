"""Each service's database migrated once per test process: a test's databases start as copies of these templates,
so a test pays for a copy (milliseconds) instead of every migration (about a second on PostgreSQL). Tests about
migrations themselves ask for ``@pytest.mark.fresh_databases`` and get empty databases."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import psycopg

from shoplab.plumbing.runtime import ServiceRuntime, load_spec
from tests.postgres import PostgresServer


def _migrate(name: str, url: str) -> None:
    runtime = ServiceRuntime(load_spec(name), url)
    runtime.migrate()
    runtime.db.engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it


class DatabaseTemplates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[tuple[int, str], str] = {}
        self._lock = threading.Lock()

    def sqlite_copy(self, name: str, target: Path) -> str:
        with self._lock:
            template = self._sqlite.get(name)
            if template is None:
                self.root.mkdir(parents=True, exist_ok=True)
                template = self.root / f"{name}.sqlite3"
                _migrate(name, f"sqlite:///{template}")
                self._sqlite[name] = template
        # The backup API, not a file copy: it reads a consistent database whatever journal is beside it.
        with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite:///{target}"

    def postgres_copy(self, server: PostgresServer, name: str, database: str) -> str:
        key = (id(server), name)
        with self._lock:
            template = self._postgres.get(key)
            if template is None:
                template = f"template_{os.getpid()}_{name}"  # test processes may share one server
                server.drop_database(template)
                _migrate(name, server.create_database(template))
                self._postgres[key] = template
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        return server.url(database)

    def drop_postgres(self, server: PostgresServer) -> None:
        """At the end of the session (a server someone else runs keeps nothing of ours)."""
        for (server_id, _), template in list(self._postgres.items()):
            if server_id == id(server):
                server.drop_database(template)
