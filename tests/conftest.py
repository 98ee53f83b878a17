"""Test session wiring: a private var dir, a real Redis server on a free port, and (for the PostgreSQL lane) a
throwaway PostgreSQL server. Integration tests take the ``stack`` fixture, which runs once per database backend."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from shoplab.topology import SERVICES
from tests.ports import free_port

_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="shoplab-tests-"))
# A PostgreSQL server given to `make test` (DATABASE_URL=postgresql+psycopg://user:pw@host:port/shoplab_{service}):
# the PostgreSQL lane creates its databases there instead of starting its own server.
_EXTERNAL_POSTGRES = (
    os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
)


def pytest_configure(config: pytest.Config) -> None:
    # Before any ShopLab module reads its settings: nothing of a developer's `make run` is touched.
    os.environ["SHOPLAB_VAR_DIR"] = str(_SESSION_ROOT / "var")
    os.environ["SHOPLAB_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    os.environ["SHOPLAB_INTERNAL_TOKEN"] = "test-internal-token"
    os.environ["SHOPLAB_SECRET_KEY"] = "test-secret-key"
    os.environ["SHOPLAB_EVENT_MAX_RETRIES"] = "2"
    # A joined view's 1.8 s is a promise about a service in trouble (test_joined_views keeps it); elsewhere three
    # test processes share two cores, and a part that came late would be an honest "unavailable", not the content
    # under test.
    os.environ["SHOPLAB_VIEW_BUDGET_SECONDS"] = "10"
    # Still argon2id with two passes, at 1 MiB instead of 19 (gateway/passwords.py): thousands of sign-ins.
    os.environ["SHOPLAB_TEST_ARGON2_MEMORY_KIB"] = "1024"
    for name in SERVICES:
        os.environ[f"SHOPLAB_{name.upper()}_PORT"] = str(free_port())
    for key in list(os.environ):
        if key == "DATABASE_URL" or key.endswith("_DATABASE_URL"):
            del os.environ[key]


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SESSION_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    from urllib.parse import urlparse

    from shoplab.redis_server import start_redis

    url = os.environ["SHOPLAB_REDIS_URL"]
    process = start_redis(urlparse(url).port, _SESSION_ROOT / "redis", _SESSION_ROOT / "redis.log")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def postgres_server():
    from tests.postgres import ExternalPostgres, PostgresServer, pg_bindir

    if _EXTERNAL_POSTGRES:
        server = ExternalPostgres(_EXTERNAL_POSTGRES)
        server.start()
        yield server
        for name in SERVICES:  # the migrated templates of this process (tests/database_templates.py)
            server.drop_database(f"template_{os.getpid()}_{name}")
        return
    if pg_bindir() is None:
        _skip_or_fail("PostgreSQL binaries are not installed (make test installs them when run as root)")
    server = PostgresServer(_SESSION_ROOT / "postgres", free_port())
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - said in the skip or the failure
        _skip_or_fail(f"the PostgreSQL server did not start: {exc}")
    yield server
    server.stop()


def _skip_or_fail(reason: str) -> None:
    """On a developer's machine the PostgreSQL lane may skip (the reason is listed); in CI (``CI=true``, as CI
    services set it) a lane that did not run is a failure, not a quiet skip."""
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI: the PostgreSQL lane cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_templates():
    from tests.database_templates import DatabaseTemplates

    return DatabaseTemplates(_SESSION_ROOT / "templates")


def _templates_for(request):
    """Migrated copies, unless the test is about migrations (``@pytest.mark.fresh_databases``: empty databases)."""
    if request.node.get_closest_marker("fresh_databases"):
        return None
    return request.getfixturevalue("database_templates")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stack(request, redis_server, tmp_path):
    """A fresh ShopLab (every service's database, Redis emptied); workers start when a test asks for them."""
    import redis

    from tests.stack import Stack

    redis.Redis.from_url(redis_server).flushall()
    postgres = request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    stack = Stack(tmp_path, redis_server, postgres, _templates_for(request))
    yield stack
    stack.close()


@pytest.fixture
def sqlite_stack(request, redis_server, tmp_path):
    """The same, on SQLite only: for tests that are not about the database backend."""
    import redis

    from tests.stack import Stack

    redis.Redis.from_url(redis_server).flushall()
    stack = Stack(tmp_path, redis_server, templates=_templates_for(request))
    yield stack
    stack.close()
