"""The shop's customer metrics for a period of shop time, computed by the database (aggregates, no rows loaded).

- customers: known at all; with a purchase; new in the period (first purchase in it); repeat customers (two or
  more purchases) and the repeat rate (repeat / customers with a purchase);
- segments and grades: customers per RFM segment and member grade (now);
- tags: customers per current tag (now); tags added in the period by students (manual) and by rules;
- care tasks announced in the period, by kind; blacklisted customers (now); orders flagged in the period.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.crm.models import CareTask, Customer, Purchase, Tag


def shop_metrics(session: Session, shop_id: str, start: datetime, end: datetime) -> dict[str, Any]:
    c = Customer
    known, buying, repeat, blacklisted = session.execute(
        select(
            func.count(),
            func.count().filter(c.frequency > 0),
            func.count().filter(c.frequency >= 2),
            func.count().filter(c.blacklisted.is_(True)),
        ).where(c.shop_id == shop_id)
    ).one()
    new = session.scalar(
        select(func.count()).where(c.shop_id == shop_id, c.first_purchase_at >= start, c.first_purchase_at < end)
    )
    by = lambda column: dict(  # noqa: E731 - three one-line group counts
        session.execute(
            select(column, func.count()).where(c.shop_id == shop_id, column.is_not(None)).group_by(column)
        ).all()
    )
    tags_now = dict(
        session.execute(
            select(Tag.tag, func.count()).where(Tag.shop_id == shop_id, Tag.removed_at.is_(None)).group_by(Tag.tag)
        ).all()
    )
    tags_added = dict(
        session.execute(
            select(Tag.source, func.count())
            .where(Tag.shop_id == shop_id, Tag.added_at >= start, Tag.added_at < end)
            .group_by(Tag.source)
        ).all()
    )
    care = dict(
        session.execute(
            select(CareTask.kind, func.count())
            .where(CareTask.shop_id == shop_id, CareTask.due_at >= start, CareTask.due_at < end)
            .group_by(CareTask.kind)
        ).all()
    )
    flagged = session.scalar(
        select(func.count()).where(
            Purchase.shop_id == shop_id, Purchase.flagged.is_(True), Purchase.placed_at >= start,
            Purchase.placed_at < end,
        )
    )  # fmt: skip
    return {
        "from": start,
        "to": end,
        "customers": {
            "known": known,
            "with_purchase": buying,
            "new": new,
            "repeat": repeat,
            "repeat_rate": round(repeat / buying, 4) if buying else None,
        },  # fmt: skip
        "segments": by(c.segment),
        "grades": by(c.grade),
        "tags": tags_now,
        "tags_added": {"manual": tags_added.get("manual", 0), "rule": tags_added.get("rule", 0)},
        "care_tasks": care,
        "blacklisted": blacklisted,
        "flagged_orders": flagged,
    }
