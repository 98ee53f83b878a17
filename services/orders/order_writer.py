"""Placing orders from one thread of the web process, a round of orders at a time.

A database takes one writer at a time (SQLite by design, PostgreSQL on the hot SKU rows), so request threads that
each open a write transaction for their order mostly queue for the lock. Here they hand their checked requests to
one thread, which takes whatever requests are waiting: it reads their shops and catalogs once for the round and
prices each order (:func:`placing.draft_orders`), then records them in one short write transaction
(:func:`placing.record_orders`), and answers each request with its own outcome.
"""

from __future__ import annotations

from services.orders.placing import CatalogRows, OrderDraft, OrderRequest, draft_orders, record_orders
from shoplab import settings
from shoplab.plumbing.batch_thread import BatchThread
from shoplab.plumbing.database import Database

# A round costs mostly per round (a read of shops and catalogs, a write transaction the processes take turns on), so
# it waits up to 1 ms after its first request for the process's other request threads, and no longer once they have
# all joined it: then no more can come (make bench-orders: 0.43 without waiting, 0.52 with 1 ms, 0.58 stopping early).
LINGER = 0.001
WRITER = "orders.writer"  # its name among the runtime's parts (``runtime.parts``)


class OrderWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.catalog = CatalogRows()  # the writer's thread alone reads it
        self.thread: BatchThread[OrderRequest] = BatchThread(
            "orders-writer", self._place, max_batch=100, linger=LINGER, enough=settings.web_threads()
        )

    def place(self, request: OrderRequest) -> OrderDraft:
        """Price the order, reserve its stock and insert it with its event; raises what refused it (an unknown shop
        or SKU, a line out of stock...)."""
        return self.thread.call(request)

    def _place(self, requests: list[OrderRequest]) -> list[OrderDraft | Exception]:
        with self.db.engine.connect() as conn:  # a connection, not a session: these are Core reads
            drafted = draft_orders(conn, requests, source=self.db.service, known=self.catalog)
        drafts = [draft for draft in drafted if isinstance(draft, OrderDraft)]
        refusals = iter(self._write(drafts) if drafts else [])
        # an order priced and recorded answers with its draft; one refused, when priced or when recorded, with why
        return [(next(refusals) or draft) if isinstance(draft, OrderDraft) else draft for draft in drafted]

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
