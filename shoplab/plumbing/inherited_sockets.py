"""A pool child lets go of the broker connections it inherited from the worker's main process.

Celery's prefork pool forks a new child whenever one dies. The fork copies every open file of the main process,
among them its Redis connection waiting in BRPOP (kombu does not close it in the child: redis-py's pool, seeing
another process id, forgets its connections without closing them). If the main process is then killed while that
child lives on (busy in a handler), the connection stays open in the child: Redis still counts the BRPOP as
waiting and hands it the next message, which nobody reads. The message is then gone from the queue and was never
recorded as unacknowledged, so kombu cannot bring it back either.

Replacing each such descriptor by ``/dev/null`` drops the child's reference (the main process keeps its own) while
keeping the descriptor's number taken, so a stale object of the parent that later closes "its" number cannot close
a connection the child made since.
"""

from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlparse

log = logging.getLogger(__name__)


def broker_address(url: str) -> tuple[set[str], int]:
    parsed = urlparse(url)
    port = parsed.port or 6379
    host = parsed.hostname or "localhost"
    addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    return addresses, port


def release_inherited_sockets(url: str) -> int:
    """Call first thing in a forked child; returns how many connections to the broker at ``url`` it let go of."""
    addresses, port = broker_address(url)
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    released = 0
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir(fd_dir):
            fd = int(name)
            if fd != devnull and _connected_to(fd, addresses, port):
                os.dup2(devnull, fd)
                released += 1
    finally:
        os.close(devnull)
    if released:
        log.debug("released %d inherited connection(s) to %s", released, url)
    return released


def _connected_to(fd: int, addresses: set[str], port: int) -> bool:
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        return False  # not a socket (or already closed: the descriptor listing itself)
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
            return False
        peer = sock.getpeername()
        return peer[1] == port and peer[0] in addresses
    except OSError:
        return False  # not connected
    finally:
        sock.detach()  # the descriptor stays open: we only looked
