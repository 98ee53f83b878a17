"""A thread of the process that takes what request threads hand it and handles it in batches.

Used where many requests each want a little of something that costs mostly per round, not per item: a Redis round
trip (the relay) or a write transaction on SQLite, whose one writer at a time makes concurrent writers queue.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
# handle(batch) -> one outcome per item, in order: a result, or an exception for that item alone
Handle = Callable[[list[Any]], Sequence[Any]]


class _Job:
    __slots__ = ("item", "done", "outcome")

    def __init__(self, item: Any, done: threading.Event | None) -> None:
        self.item = item
        self.done = done
        self.outcome: Any = None


class BatchThread(Generic[Item]):
    """Items are handled in the order given, up to ``max_batch`` a round; whatever waits when a round starts joins it.

    The thread starts on first use in each process (so it is there in every gunicorn worker after the fork) and is a
    daemon: the work it is given must be safe to lose in a crash (the outbox row is the guarantee of the relay; a
    caller of :meth:`call` gets no answer and its client retries)."""

    def __init__(
        self, name: str, handle: Handle, *, max_batch: int = 200, linger: float = 0.0, enough: int | None = None
    ) -> None:
        self.name = name
        self.handle = handle
        self.max_batch = max_batch
        self.linger = linger  # seconds a round waits after its first item, for more to join
        # A round with this many items stops waiting: when callers wait for their outcome and there are only so many
        # of them, no more can come. Without it, the round sleeps the whole linger.
        self.enough = enough
        self._lock = threading.Lock()
        self._pid = -1
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()

    def submit(self, item: Item) -> None:
        """Hand the item over and go on; a failure of its round is logged."""
        self._inbox().put(_Job(item, None))

    def call(self, item: Item, timeout: float | None = 60.0) -> Any:
        """Hand the item over and wait for its outcome: its result, or its exception raised here."""
        job = _Job(item, threading.Event())
        self._inbox().put(job)
        if not job.done.wait(timeout):
            raise TimeoutError(f"{self.name}: no outcome within {timeout} s")
        if isinstance(job.outcome, BaseException):
            raise job.outcome
        return job.outcome

    def started(self) -> bool:
        return self._pid == os.getpid()

    def _inbox(self) -> queue.SimpleQueue[_Job]:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    # First use in this process; after a fork the parent's thread does not exist here.
                    self._queue = queue.SimpleQueue()
                    threading.Thread(target=self._run, args=(self._queue,), name=self.name, daemon=True).start()
                    self._pid = os.getpid()
        return self._queue

    def _run(self, inbox: queue.SimpleQueue[_Job]) -> None:
        while True:
            jobs = [inbox.get()]
            if self.linger and self.enough:
                deadline = time.monotonic() + self.linger
                while len(jobs) < self.enough and (left := deadline - time.monotonic()) > 0:
                    try:
                        jobs.append(inbox.get(timeout=left))
                    except queue.Empty:
                        break
            elif self.linger:
                time.sleep(self.linger)
            while len(jobs) < self.max_batch and not inbox.empty():
                jobs.append(inbox.get())
            try:
                outcomes = list(self.handle([job.item for job in jobs]))
                if len(outcomes) != len(jobs):
                    raise RuntimeError(f"{self.name}: {len(outcomes)} outcomes for {len(jobs)} items")
            except Exception as exc:  # the round failed as a whole: every item of it gets the error
                if any(job.done is None for job in jobs):
                    log.exception("%s: a round of %d item(s) failed", self.name, len(jobs))
                outcomes = [exc] * len(jobs)
            for job, outcome in zip(jobs, outcomes, strict=True):
                job.outcome = outcome
                if job.done is not None:
                    job.done.set()
