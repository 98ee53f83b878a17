"""A real ShopLab for one test: each service's database (SQLite files or PostgreSQL databases), the session's
Redis, in-process Flask apps, and real Celery worker and beat processes started on demand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from flask.testing import FlaskClient

from shoplab import settings
from shoplab.eventbus.heartbeat import alive_key
from shoplab.plumbing.auth import HEADER
from shoplab.topology import SERVICES
from tests.database_templates import DatabaseTemplates
from tests.postgres import PostgresServer

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05, message: str = "") -> Any:
    """Wait until ``check()`` returns something truthy (and return it), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except AssertionError as exc:
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s: {message or check}") from last_error


class ServiceClient(FlaskClient):
    """A test client that carries the internal credential, like the gateway does."""

    def open(self, *args: Any, **kwargs: Any):
        headers = kwargs.pop("headers", None) or {}
        headers.setdefault(HEADER, settings.internal_token())
        return super().open(*args, headers=headers, **kwargs)


class Worker:
    """One Celery worker process for one service, on that service's queue."""

    def __init__(
        self, stack: Stack, service: str, env: dict[str, str], app_module: str | None = None, concurrency: int = 1
    ) -> None:
        self.stack = stack
        self.service = service
        self.env = env
        self.app_module = app_module or SERVICES[service].worker_module
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.node = f"{service}-{uuid.uuid4().hex[:6]}@test"
        self.log_path = stack.root / f"{self.node}.log"
        self._log_offset = 0

    def start(self, timeout: float = 30.0) -> Worker:
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> Worker:
        """Start the process without waiting for it (several workers boot faster side by side)."""
        self.stack.redis.delete(alive_key(self.service))
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [
            sys.executable, "-m", "celery", "-A", self.app_module, "worker",
            "-Q", self.service, "-n", self.node, "--concurrency", str(self.concurrency),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        ]  # fmt: skip
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process writes to it for its whole life
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self, timeout: float = 30.0) -> Worker:
        redis_client = self.stack.redis
        # This very process said "ready." (several workers may serve one queue), and its heartbeat is on.
        eventually(
            lambda: (
                (redis_client.exists(alive_key(self.service)) and f"{self.node} ready." in self.log(new=True))
                or self._exited()
            ),
            timeout=timeout,
            message=f"{self.service} worker ready",
        )
        if self._exited():
            raise RuntimeError(
                f"{self.service} worker exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}"
            )
        return self

    def _exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def pool_children(self) -> list[int]:
        assert self.process
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """Ask for a warm shutdown (the message in hand is finished first)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def wait_stopped(self, timeout: float = 15.0) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self, new: bool = False) -> str:
        """The worker's log; ``new``: only what its latest start wrote."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(self._log_offset if new else 0)
            return log.read().decode(errors="replace")


class Stack:
    def __init__(
        self,
        root: Path,
        redis_url: str,
        postgres: PostgresServer | None = None,
        templates: DatabaseTemplates | None = None,
    ) -> None:
        """``templates``: databases start migrated (copies); without, they start empty and the apps migrate them."""
        self.root = root
        self.redis_url = redis_url
        self.postgres = postgres
        self.redis = redis.Redis.from_url(redis_url)
        self.templates = templates
        self._database_urls: dict[str, str] = {}
        self._pg_databases: list[str] = []
        self._apps: dict[str, Flask] = {}
        self.workers: list[Worker] = []
        self.beat_process: subprocess.Popen | None = None

    def database_url(self, name: str) -> str:
        """The service's database, made when first asked for: a test of one service pays for one database."""
        if name not in self._database_urls:
            self._database_urls[name] = self._make_database(name)
        return self._database_urls[name]

    @property
    def database_urls(self) -> dict[str, str]:
        """Every service's database (a process started with :meth:`env` may reach any of them)."""
        return {name: self.database_url(name) for name in SERVICES}

    def _make_database(self, name: str) -> str:
        if self.postgres:
            db_name = f"t_{uuid.uuid4().hex[:8]}_{name}"
            self._pg_databases.append(db_name)
            if self.templates:
                return self.templates.postgres_copy(self.postgres, name, db_name)
            return self.postgres.create_database(db_name)
        path = self.root / f"{name}.sqlite3"
        return self.templates.sqlite_copy(name, path) if self.templates else f"sqlite:///{path}"

    @property
    def backend(self) -> str:
        return "postgres" if self.postgres else "sqlite"

    def app(self, name: str) -> Flask:
        if name not in self._apps:
            module = __import__(SERVICES[name].app_module.split(":")[0], fromlist=["create_app"])
            app = module.create_app({"TESTING": True, "DATABASE_URL": self.database_url(name)})
            if name != "gateway":
                app.test_client_class = ServiceClient
            self._apps[name] = app
        return self._apps[name]

    def client(self, name: str) -> FlaskClient:
        return self.app(name).test_client()

    def runtime(self, name: str):
        return self.app(name).extensions["shoplab"]

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **extra}
        for name, url in self.database_urls.items():
            env[f"{name.upper()}_DATABASE_URL"] = url
        return env

    def worker(self, service: str, *, app_module: str | None = None, **extra_env: str) -> Worker:
        """A real worker for ``service``; ``app_module`` runs another Celery app on its queue (e.g. a probe)."""
        return self.start_workers([service], app_module=app_module, **extra_env)[0]

    def start_workers(self, services: list[str], *, app_module: str | None = None, **extra_env: str) -> list[Worker]:
        """Several workers booted side by side; returns once every one of them is ready."""
        for service in services:
            self.app(service)  # migrate before the worker starts consuming
        workers = [Worker(self, service, self.env(**extra_env), app_module).launch() for service in services]
        self.workers.extend(workers)
        for worker in workers:
            worker.wait_ready()
        return workers

    def beat(self) -> subprocess.Popen:
        schedule = self.root / "celerybeat-schedule"
        log = open(self.root / "beat.log", "ab")  # noqa: SIM115
        self.beat_process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shoplab.beat", "beat", "-s", str(schedule), "--loglevel", "INFO"],
            cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        return self.beat_process

    def sign_in(self, username: str = "teacher", password: str = "teacher-demo") -> dict[str, str]:
        """Headers of a signed-in gateway user (the demo class is seeded on first use)."""
        from gateway.seed import seed_demo

        with self.runtime("gateway").db.writing() as session:
            seed_demo(session)
        response = self.client("gateway").post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    def close(self) -> None:
        for worker in self.workers:  # all at once: each warm shutdown takes about a second
            worker.terminate()
        for worker in self.workers:
            worker.wait_stopped()
        if self.beat_process and self.beat_process.poll() is None:
            os.killpg(self.beat_process.pid, signal.SIGTERM)
            self.beat_process.wait(10)
        for app in self._apps.values():
            db = app.extensions["shoplab"].db
            if hasattr(db.relay, "flush"):  # web apps relay from a thread: let it finish while the databases exist
                db.relay.flush(5)
            db.engine.dispose()
        if self.postgres:
            for db_name in self._pg_databases:
                self.postgres.drop_database(db_name)
