from __future__ import annotations

from urllib.parse import urlparse

import pytest

from shoplab.redis_server import start_redis
from tests.ports import free_port
from tests.stack import Stack


@pytest.fixture
def teacher(stack):
    """Headers of the demo instructor, who may open shops in the gateway."""
    return stack.sign_in()


class OwnRedis:
    """A Redis server of this test alone, on its own port and data directory, so it can be stopped at will."""

    def __init__(self, root) -> None:
        self.url = f"redis://127.0.0.1:{free_port()}/0"
        self.port = urlparse(self.url).port
        self.root = root
        self.process = None

    def start(self) -> None:
        self.process = start_redis(self.port, self.root / "redis", self.root / "redis.log")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: what is not in the append-only file is gone."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_redis_stack(request, tmp_path, monkeypatch):
    """A stack whose Redis is the test's own (``OwnRedis``), to stop, kill and start again."""
    server = OwnRedis(tmp_path)
    monkeypatch.setenv("SHOPLAB_REDIS_URL", server.url)  # read by every runtime and worker from here on
    server.start()
    postgres = request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    stack = Stack(tmp_path, server.url, postgres)
    yield stack, server
    if server.process.poll() is not None:
        server.start()
    stack.close()
    server.stop()
