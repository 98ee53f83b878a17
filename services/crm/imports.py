"""Importing a checked transaction history into a shop, all in one transaction: purchases (``source = import``),
customers new to the shop, their counters, grades, rule tags and care schedule, and the shop's RFM in full.

Built for tens of thousands of rows: inserts in batches, the counters by one set-based UPDATE, the customers
settled in Python from rows read once, and one summary event (``customer.segments_refreshed``, trigger
``import``) instead of one per customer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from types import SimpleNamespace

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from services.crm import care_schedule, grades, profiles, rfm_refresh, tag_rules, tagging
from services.crm.crm_profile import crm_settings
from services.crm.import_file import Transaction
from services.crm.models import Customer, Import, Purchase, Tag
from shoplab.shops.context import ShopContext

CHUNK = 2000


def _default_zones(ctx: ShopContext) -> dict[str, tuple[str, str]]:
    """Country -> (time zone, language) from the profile's buyer countries, for imported customers."""
    return {c["country"]: (c["timezone"], c["language"]) for c in reversed(ctx.profile["buyer_countries"])}


def _add_customers(session: Session, ctx: ShopContext, txs: list[Transaction]) -> int:
    wanted = {tx.customer_id: tx.country for tx in txs}
    known: set[str] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        known.update(
            session.scalars(
                select(Customer.customer_id).where(Customer.shop_id == ctx.id, Customer.customer_id.in_(part))
            )
        )
    zones = _default_zones(ctx)
    blank = profiles.new_customer(ctx.id, "", ctx.wall_now)
    template = {column.name: getattr(blank, column.name) for column in Customer.__table__.columns}
    rows = []
    for customer_id in ids:
        if customer_id in known:
            continue
        country = wanted[customer_id]
        timezone, language = zones.get(country or "", (None, None))
        rows.append({**template, "customer_id": customer_id, "country": country, "timezone": timezone,
                     "language": language})  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        session.connection().execute(insert(Customer.__table__), rows[start : start + CHUNK])
    for customer_id in known:  # a country the profile did not know yet
        if wanted[customer_id]:
            session.execute(
                update(Customer)
                .where(Customer.shop_id == ctx.id, Customer.customer_id == customer_id, Customer.country.is_(None))
                .values(country=wanted[customer_id])
            )
    return len(rows)


def _add_purchases(session: Session, ctx: ShopContext, import_id: str, txs: list[Transaction]) -> None:
    rows = [
        {"shop_id": ctx.id, "purchase_id": f"imp-{import_id[:12]}-{tx.line}", "customer_id": tx.customer_id,
         "source": "import", "import_id": import_id, "paid_at": tx.at, "paid_cents": tx.amount_cents,
         "refunded_cents": 0, "flagged": False}
        for tx in txs
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        session.connection().execute(insert(Purchase.__table__), rows[start : start + CHUNK])


def _count_imported(session: Session, shop_id: str) -> None:
    agg = (
        select(
            Purchase.customer_id.label("customer_id"),
            func.count().label("purchases"),
            func.sum(Purchase.paid_cents).label("cents"),
        )
        .where(Purchase.shop_id == shop_id, Purchase.source == "import")
        .group_by(Purchase.customer_id)
        .subquery()
    )
    session.execute(
        update(Customer)
        .where(Customer.shop_id == shop_id, Customer.customer_id == agg.c.customer_id)
        .values(imported_purchases=agg.c.purchases, imported_cents=agg.c.cents)
        .execution_options(synchronize_session=False)
    )


_SETTLED = (
    update(Customer)
    .where(Customer.shop_id == bindparam("b_shop"), Customer.customer_id == bindparam("b_customer"))
    .values(
        grade=bindparam("grade"),
        rule_tags=bindparam("rule_tags"),
        rules_due_at=bindparam("rules_due_at"),
        greeting_due_at=bindparam("greeting_due_at"),
        win_back_due_at=bindparam("win_back_due_at"),
        updated_wall_at=bindparam("updated_wall_at"),
    )
)
_UNTAGGED = (
    update(Tag)
    .where(Tag.id == bindparam("b_id"))
    .values(removed_by=bindparam("removed_by"), removed_at=bindparam("removed_at"),
            removed_wall_at=bindparam("removed_wall_at"))
)  # fmt: skip


def _settle_imported(session: Session, ctx: ShopContext, customer_ids: set[str]) -> None:
    """Grades, rule tags and care schedule of the imported customers: computed in Python from rows read in
    batches, written with a few multi-row statements, without an event per customer (rows, not ORM objects:
    a history has tens of thousands of customers)."""
    settings = crm_settings(ctx.profile)
    ids = sorted(customer_ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        rows = session.execute(
            select(Customer.__table__).where(Customer.shop_id == ctx.id, Customer.customer_id.in_(part))
        ).all()
        have: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
        for tag_id, customer_id, tag in session.execute(
            select(Tag.id, Tag.customer_id, Tag.tag).where(
                Tag.shop_id == ctx.id, Tag.customer_id.in_(part), Tag.removed_at.is_(None), Tag.source == tagging.RULE
            )
        ):
            have[customer_id][tag] = tag_id
        settled, added, removed = [], [], []
        for row in rows:
            customer = SimpleNamespace(**row._mapping)
            level = grades.grade_for(settings, customer.monetary_cents, customer.frequency)
            customer.grade = level.code if level else None
            metrics = tag_rules.metrics_of(customer, grades.grade_level(settings, customer.grade), ctx.shop_now)
            wanted = tag_rules.tags_for(settings.tag_rules, metrics)
            current = have[customer.customer_id]
            removed += [{"b_id": current[t], "removed_by": f"rule:{t}", "removed_at": ctx.shop_now,
                         "removed_wall_at": ctx.wall_now} for t in sorted(set(current) - wanted)]  # fmt: skip
            added += [{"shop_id": ctx.id, "customer_id": customer.customer_id, "tag": t, "source": tagging.RULE,
                       "note": "", "added_by": f"rule:{t}", "added_at": ctx.shop_now, "added_wall_at": ctx.wall_now}
                      for t in sorted(wanted - set(current))]  # fmt: skip
            care_schedule.reschedule(customer, settings.care, ctx.shop_now)
            settled.append({"b_shop": ctx.id, "b_customer": customer.customer_id, "grade": customer.grade,
                            "rule_tags": " ".join(sorted(wanted)),
                            "rules_due_at": tag_rules.next_change(settings.tag_rules, customer, ctx.shop_now),
                            "greeting_due_at": customer.greeting_due_at, "win_back_due_at": customer.win_back_due_at,
                            "updated_wall_at": ctx.wall_now})  # fmt: skip
        conn = session.connection()
        for statement, params in ((_UNTAGGED, removed), (insert(Tag.__table__), added), (_SETTLED, settled)):
            if params:
                conn.execute(statement, params)
    for held in [obj for obj in session.identity_map.values() if isinstance(obj, Customer | Tag)]:
        session.expire(held)  # rows changed underneath what this session may hold


def import_transactions(
    session: Session, ctx: ShopContext, txs: list[Transaction], *, filename: str, fmt: str, agent_id: str
) -> Import:
    import_id = uuid.uuid4().hex
    new_customers = _add_customers(session, ctx, txs)
    _add_purchases(session, ctx, import_id, txs)
    _count_imported(session, ctx.id)
    record = Import(
        id=import_id,
        shop_id=ctx.id,
        filename=filename[:200],
        format=fmt,
        rows=len(txs),
        customers=len({tx.customer_id for tx in txs}),
        new_customers=new_customers,
        amount_cents=sum(tx.amount_cents for tx in txs),
        first_at=min(tx.at for tx in txs),
        last_at=max(tx.at for tx in txs),
        imported_by=agent_id,
        imported_wall_at=ctx.wall_now,
    )
    session.add(record)
    rfm_refresh.refresh(session, ctx, trigger="import", by=agent_id, rebuild=True)  # frequency and money too
    _settle_imported(session, ctx, {tx.customer_id for tx in txs})
    return record


def imports_of(session: Session, shop_id: str) -> list[Import]:
    return list(session.scalars(select(Import).where(Import.shop_id == shop_id).order_by(Import.imported_wall_at)))
