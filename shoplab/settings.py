"""Settings every process reads from its environment, with the embedded defaults of ``make run``."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from shoplab.topology import REDIS_DEFAULT_PORT

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    path = Path(os.environ.get("SHOPLAB_VAR_DIR", PROJECT_ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def redis_url() -> str:
    return os.environ.get("SHOPLAB_REDIS_URL", f"redis://127.0.0.1:{REDIS_DEFAULT_PORT}/0")


def database_url(service: str) -> str:
    """``<SERVICE>_DATABASE_URL`` wins; else ``DATABASE_URL`` with ``{service}`` filled in; else a SQLite file."""
    own = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if own:
        return own
    shared = os.environ.get("DATABASE_URL")
    if shared:
        if "{service}" not in shared:
            raise RuntimeError("DATABASE_URL must contain {service}: each service owns its own database")
        return shared.replace("{service}", service)
    return f"sqlite:///{var_dir() / f'{service}.sqlite3'}"


def web_threads() -> int:
    """Request threads of each web process (gunicorn's gthread workers)."""
    return int(os.environ.get("SHOPLAB_WEB_THREADS", "4"))


def gateway_threads() -> int:
    """Request threads of each gateway web process: every open live stream (server-sent events) holds one, so a
    class of 60 students with the stream open, plus their ordinary requests, fits in one process of two
    (docs/gateway.md, "Live stream")."""
    return int(os.environ.get("SHOPLAB_GATEWAY_THREADS", "80"))


def web_keepalive_seconds() -> int:
    """How long a web process keeps an idle client connection open (gunicorn's ``--keep-alive``, 2 s by default).
    A client that reuses a connection just as the server closes it gets a reset instead of an answer (seen under
    locust: users pause 1-5 s between requests). The server must outwait its clients: 75 s, nginx's default, is
    longer than a browser's or urllib3's idle pause; gthread parks idle connections in its poller, not on a thread."""
    return int(os.environ.get("SHOPLAB_WEB_KEEPALIVE_SECONDS", "75"))


def view_budget_seconds() -> float:
    """How long a screen that joins services waits for them before it marks the late ones unavailable: under the
    2 s a joined view promises. The test suite raises it for tests about a view's content (on a loaded machine a
    slow answer is an honest "unavailable", not the content under test); the tests of the promise keep this one."""
    return float(os.environ.get("SHOPLAB_VIEW_BUDGET_SECONDS", "1.8"))


def internal_token() -> str:
    """The credential services demand of every caller but the gateway's proxies and each other.

    Embedded runs keep one under var/ so every process of the same run shares it.
    """
    token = os.environ.get("SHOPLAB_INTERNAL_TOKEN")
    if token:
        return token
    return _secret_file("internal_token")


def secret_key() -> str:
    key = os.environ.get("SHOPLAB_SECRET_KEY")
    if key:
        return key
    return _secret_file("secret_key")


def _secret_file(name: str) -> str:
    """A secret kept under var/, readable and writable by its owner only (0600).

    Created with ``O_EXCL`` and mode 0600 in one call, so it is never readable by others, not even for a moment, and
    of two processes racing to create it the second reads the first one's. A file left by an older version with
    wider rights is narrowed."""
    path = var_dir() / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(32))
    value = path.read_text().strip()
    if not value:  # the creator has not written yet: wait for it rather than hand out an empty secret
        import time

        for _ in range(50):
            time.sleep(0.01)
            value = path.read_text().strip()
            if value:
                break
    return value


@dataclass(frozen=True)
class WorkerSettings:
    """Delivery settings chosen so that a killed worker's messages come back within 30 s."""

    visibility_timeout: int = int(os.environ.get("SHOPLAB_VISIBILITY_TIMEOUT", 15))
    restore_interval: int = 2
    max_retries: int = int(os.environ.get("SHOPLAB_EVENT_MAX_RETRIES", 5))
    retry_backoff_max: int = 30
    concurrency: int = int(os.environ.get("SHOPLAB_WORKER_CONCURRENCY", 1))
