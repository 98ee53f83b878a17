"""The per-conversation export: one CSV row per ticket, produced while the rows are read (never all in memory).

Periods and the times in it are wall-clock, like the metrics; the column names are the export's since its first
version (``opened_at`` is the ticket's ``opened_wall_at``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.models import Ticket

COLUMNS = (
    "ticket_id", "kind", "group", "status", "agent", "opened_at", "first_response_seconds", "rounds",
    "resolution_seconds", "resolved_at", "reopened", "csat", "sla_breaches", "first_response_breached",
    "resolution_breached", "converted", "customer_id", "order_no",
)  # fmt: skip


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def rows(
    reading: Callable[[], AbstractContextManager[Session]],
    shop_id: str,
    start: datetime,
    end: datetime,
    batch: int = 2000,
) -> Iterator[str]:
    """CSV text, a header then a chunk per batch of tickets opened in [start, end), in opening order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield _drain(buffer)
    stmt = (
        select(Ticket)
        .where(Ticket.shop_id == shop_id, Ticket.opened_wall_at >= start, Ticket.opened_wall_at < end)
        .order_by(Ticket.opened_wall_at, Ticket.id)
        .execution_options(yield_per=batch)
    )
    with reading() as session:
        for count, t in enumerate(session.scalars(stmt), start=1):
            writer.writerow(
                [
                    _fmt(v)
                    for v in (
                        t.id,
                        t.kind,
                        t.grp,
                        t.status,
                        t.resolved_by or t.served_by or t.assignee_id,
                        t.opened_wall_at,
                        t.first_response_seconds,
                        t.round_count,
                        t.resolution_seconds,
                        t.resolved_wall_at,
                        t.reopen_count,
                        t.csat_score,
                        t.breach_count,
                        t.first_response_breached,
                        t.resolution_breached,
                        t.converted_wall_at is not None,
                        t.customer_id,
                        t.order_no,
                    )  # fmt: skip
                ]
            )
            if count % batch == 0:
                yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
