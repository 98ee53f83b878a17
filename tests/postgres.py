"""A throwaway PostgreSQL server for the PostgreSQL lane, started from Debian's binaries (as ``postgres`` if root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg


def pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


class PostgresServer:
    """A server this test session starts and stops itself."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "pgdata"
        self.bindir = pg_bindir()
        self.as_user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.root, self.as_user)
            for parent in self.root.parents:  # the server's user must be able to reach its directory
                if parent.stat().st_mode & 0o005 != 0o005:
                    parent.chmod(parent.stat().st_mode | 0o005)
        self._run("initdb", "-D", str(self.data), "-U", "shoplab", "--auth=trust", "-E", "UTF8", "--no-sync")
        # A throwaway server: durability is not wanted, and autovacuum would wake for each of the hundreds of
        # short-lived databases the session creates and drops.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "pg.log"), "-w", "start")
        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(self.admin_dsn, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://shoplab@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://shoplab@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ExternalPostgres(PostgresServer):
    """A server someone else runs (``DATABASE_URL`` given to ``make test``): each test gets databases on it."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        parsed = make_url(url.replace("{service}", "postgres"))
        self.base = parsed.set(drivername="postgresql+psycopg", database="postgres")

    def start(self) -> None:
        with psycopg.connect(self.admin_dsn, connect_timeout=5):
            pass

    def stop(self) -> None:
        pass

    @property
    def admin_dsn(self) -> str:
        return self.base.set(drivername="postgresql").render_as_string(hide_password=False)

    def url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)
