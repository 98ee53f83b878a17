"""Recording placed orders from one thread of the web process, many orders a transaction.

A database takes one writer at a time (SQLite by design, PostgreSQL on the hot SKU rows), so request threads that
each open a write transaction for their order mostly queue for the lock. Here they hand their checked and priced
drafts to one thread, which records whatever drafts are waiting in one short transaction (see
:func:`ordering.record_orders`) and answers each request with its own outcome.
"""

from __future__ import annotations

from services.orders.ordering import OrderDraft, record_orders
from shoplab.plumbing.batch_thread import BatchThread
from shoplab.plumbing.database import Database

# The writer's transactions are what the service's processes take turns on: waiting 2 ms after the first draft of a
# round lets the request threads that are pricing their orders meanwhile join it (640 → 700 orders/s; at 4 ms and
# more the request threads idle, as a process has only four).
LINGER = 0.002


class OrderWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.thread: BatchThread[OrderDraft] = BatchThread("orders-writer", self._write, max_batch=100, linger=LINGER)

    def record(self, draft: OrderDraft) -> None:
        """Reserve the draft's stock and insert it with its event; raises the Conflict of a line out of stock."""
        self.thread.call(draft)

    def _write(self, drafts: list[OrderDraft]) -> list:
        try:
            with self.db.writing() as session:
                return record_orders(session, drafts)
        except Exception:
            if len(drafts) == 1:
                raise
        # The round failed as a whole (an order number that clashed, say): one order must not fail the others, so
        # each is tried again alone and only the one at fault gets the error.
        return [self._write_alone(draft) for draft in drafts]

    def _write_alone(self, draft: OrderDraft) -> Exception | None:
        try:
            (outcome,) = self._write([draft])  # a round of one raises what failed it
        except Exception as exc:
            return exc
        return outcome
