"""Relaying from a thread of the web process, so a request answers as soon as its transaction has committed.

A request hands its committed events over and returns; the thread sends whatever has gathered since its last round
in one round trip to Redis. Marking rows sent is a write transaction, and writers take turns on the database, so the
thread marks at most every ``MARK_EVERY`` seconds, all rows sent since, well inside the sweep's two seconds. The
outbox row stays the guarantee: what the thread had not sent when its process died is found by the periodic sweep,
and a row sent but not yet marked when it died is sent again, which consumers' inboxes make harmless.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Any

from shoplab.eventbus.envelope import Event
from shoplab.eventbus.outbox import Relay, Sent, SweepReport
from shoplab.plumbing.batch_thread import BatchThread

log = logging.getLogger(__name__)

MARK_EVERY = 0.25  # seconds
# Every round of the thread costs the process more than its messages do (waking the thread, taking the interpreter
# lock from the request threads, a Redis round trip): waiting 20 ms after a round's first commit lets the commits
# of those 20 ms share it. Measured on order placement: 500 orders/s at 5 ms, 560-590 at 20 ms, no more at 50 ms.
LINGER = float(os.environ.get("SHOPLAB_RELAY_LINGER", "0.02"))


class RelayThread:
    """The interface of :class:`Relay` (``relay``, ``sweep``), relaying from a thread, many commits a round."""

    def __init__(self, relay: Relay) -> None:
        self.inner = relay
        self.thread: BatchThread[list[Event]] = BatchThread("shoplab-relay", self._round, linger=LINGER)
        self._unmarked: list[Sent] = []
        self._last_mark = 0.0
        self._mark_due = False  # a reminder (an empty commit) is on its way to the thread
        atexit.register(self.flush, 5.0)

    def relay(self, events: list[Event]) -> int:
        self.thread.submit(events)
        return len(events)

    def sweep(self, **options: Any) -> SweepReport:
        """The repair path runs as it does without the thread (:meth:`Relay.sweep`)."""
        return self.inner.sweep(**options)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything handed over before this call was sent and marked; False on timeout, or when some
        rows could not be marked yet."""
        if not self.thread.started():
            return True
        try:
            self.thread.call([], timeout)  # an empty commit: reached after every earlier one, and marks at once
        except TimeoutError:
            return False
        return not self._unmarked

    def _round(self, commits: list[list[Event]]) -> list[None]:
        """One round of the thread: send what came, and mark when it is time (or when asked: an empty commit)."""
        events = [event for commit in commits for event in commit]
        if events and self.inner.send_now(events):
            self._unmarked.extend((event.id, event.type) for event in events)
        asked = any(not commit for commit in commits)
        if asked:
            self._mark_due = False
        if self._unmarked and (asked or time.monotonic() - self._last_mark >= MARK_EVERY):
            marked, self._unmarked = self._unmarked, []
            self._last_mark = time.monotonic()
            try:
                self.inner.mark_sent(marked)
            except Exception:  # the database is away: try again next round (meanwhile the sweep may send them again)
                log.exception("relay thread: could not mark %d event(s) sent", len(marked))
                self._unmarked = marked + self._unmarked
        elif self._unmarked and not self._mark_due:
            self._mark_due = True
            reminder = threading.Timer(MARK_EVERY, self.thread.submit, args=([],))
            reminder.daemon = True
            reminder.start()
        return [None] * len(commits)
