"""Relaying from a thread of the web process, so a request answers as soon as its transaction has committed.

A request hands its committed events over and returns; the thread sends whatever has gathered since its last round
in one Redis pipeline and marks those rows sent in one write transaction. Under load many commits share a round, so
the relay's cost per event falls as traffic rises. The outbox row stays the guarantee: what the thread had not sent
when its process died is found by the periodic sweep.
"""

from __future__ import annotations

import atexit
from datetime import timedelta

from shoplab.eventbus.envelope import Event
from shoplab.eventbus.outbox import Relay
from shoplab.plumbing.batch_thread import BatchThread


class RelayThread:
    """The interface of :class:`Relay` (``relay``, ``sweep``), relaying from a thread, many commits a round."""

    def __init__(self, relay: Relay) -> None:
        self.inner = relay
        self.thread: BatchThread[list[Event]] = BatchThread("shoplab-relay", self._relay_round)
        atexit.register(self.flush, 5.0)

    def relay(self, events: list[Event]) -> int:
        self.thread.submit(events)
        return len(events)

    def sweep(self, *, older_than: timedelta = timedelta(seconds=2), limit: int = 500, chunk: int = 100) -> int:
        return self.inner.sweep(older_than=older_than, limit=limit, chunk=chunk)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything handed over before this call was relayed (or left to the sweep); False on timeout."""
        if not self.thread.started():
            return True
        try:
            self.thread.call([], timeout)  # reached only after every round queued before it
        except TimeoutError:
            return False
        return True

    def _relay_round(self, commits: list[list[Event]]) -> list[None]:
        events = [event for commit in commits for event in commit]
        if events:
            self.inner.relay(events)  # a failure is logged there and left to the sweep
        return [None] * len(commits)
