"""A customer's history across services: one line per event that told crm something about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.crm.models import TimelineEntry
from shoplab.eventbus.envelope import Event
from shoplab.shops.context import ShopContext


def record(
    session: Session,
    ctx: ShopContext,
    customer_id: str,
    event: Event,
    *,
    at: datetime | None,
    ref: str | None,
    data: dict[str, Any],
) -> None:
    """``at`` is the fact's shop time when the event carries one, else the shop's now at the event's moment."""
    session.add(
        TimelineEntry(
            shop_id=ctx.id,
            customer_id=customer_id,
            event_id=event.id,
            kind=event.type,
            at=at or ctx.shop_now,
            wall_at=event.occurred_at,
            ref=ref,
            data={key: _plain(value) for key, value in data.items() if value is not None},
        )
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def entries(
    session: Session, shop_id: str, customer_id: str, *, limit: int, before: datetime | None
) -> list[TimelineEntry]:
    """Newest first; ``before`` pages back in time (shop time)."""
    stmt = select(TimelineEntry).where(TimelineEntry.shop_id == shop_id, TimelineEntry.customer_id == customer_id)
    if before is not None:
        stmt = stmt.where(TimelineEntry.at < before)
    return list(session.scalars(stmt.order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc()).limit(limit)))
