"""Ports for the suite's servers, never handed to two of them at once on this machine.

Asking the kernel (``bind(("127.0.0.1", 0))``) gives a port of its ephemeral range and forgets it once the probe is
closed: a server that binds it later (a service's app between two tests, a test's Redis) can find it taken by the
local end of some outgoing connection (every Redis, PostgreSQL and HTTP client takes one from that range), or by
another test process that was handed the same number: "Address already in use", now and then. So each test process
owns a block of ports below the ephemeral range through a lock file, for as long as it lives, and hands them out
in turn, never twice, skipping any that something outside the suite holds.
"""

from __future__ import annotations

import fcntl
import os
import socket
import tempfile
from pathlib import Path
from typing import TextIO

LOWEST = 20000
BLOCK = 100  # a test process asks for a few dozen ports in a whole run
LOCKS = Path(tempfile.gettempdir()) / "shoplab-test-ports"

_owner: int | None = None  # the process the block below belongs to (a forked child claims its own)
_locks: list[TextIO] = []
_next = 0
_end = 0


def free_port() -> int:
    global _next
    while True:
        if _owner != os.getpid() or _next >= _end:
            _claim_block()
        port, _next = _next, _next + 1
        if _bindable(port):
            return port


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _claim_block() -> None:
    global _owner, _next, _end
    if _owner != os.getpid():
        _locks.clear()  # a parent's locks stay the parent's
    LOCKS.mkdir(exist_ok=True)
    for start in range(LOWEST, _ephemeral_start() - BLOCK + 1, BLOCK):
        if start < _end:
            continue  # this process's used blocks
        handle = (LOCKS / f"{start}.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _locks.append(handle)  # held until the process ends
        _owner, _next, _end = os.getpid(), start, start + BLOCK
        return
    raise RuntimeError(f"no free block of {BLOCK} test ports from {LOWEST} to the ephemeral range")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
