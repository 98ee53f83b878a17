"""The crm service's tables. Every row carries its shop_id; money is integer minor units (``*_cents``); every time
column says its clock: ``*_at`` is the shop's business calendar, ``*_wall_at`` the wall clock.

Profiles are built only from events: the fact tables (purchases, refunds, returns, disputes, reviews,
conversations) keep one row per thing an event told of, keyed by its id, so a repeated or late event lands on the
same row; the customer's counters are recomputed from them (``services/crm/profiles.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shoplab.dbtypes import UtcDateTime


class Base(DeclarativeBase):
    pass


CURRENT_TAG = text("removed_at IS NULL")
NOT_LIFTED = text("lifted_at IS NULL")


class Customer(Base):
    """A customer as this shop knows them: identity, counters, RFM, grade, flags and when timers look again."""

    __tablename__ = "customers"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    first_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_purchase_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_purchase_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    orders: Mapped[int] = mapped_column(Integer, default=0)  # placed (live)
    paid_orders: Mapped[int] = mapped_column(Integer, default=0)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_orders: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    disputes: Mapped[int] = mapped_column(Integer, default=0)
    disputes_lost: Mapped[int] = mapped_column(Integer, default=0)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    stars_total: Mapped[int] = mapped_column(Integer, default=0)
    negative_reviews: Mapped[int] = mapped_column(Integer, default=0)
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    csat_ratings: Mapped[int] = mapped_column(Integer, default=0)
    csat_total: Mapped[int] = mapped_column(Integer, default=0)
    imported_purchases: Mapped[int] = mapped_column(Integer, default=0)
    imported_cents: Mapped[int] = mapped_column(Integer, default=0)
    # RFM: frequency and monetary over live and imported purchases; scores and segment as last computed
    frequency: Mapped[int] = mapped_column(Integer, default=0)
    monetary_cents: Mapped[int] = mapped_column(Integer, default=0)
    r_score: Mapped[int | None] = mapped_column(Integer)
    f_score: Mapped[int | None] = mapped_column(Integer)
    m_score: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(16))
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False)
    # the automatic tags on now, space-separated and sorted: most events change none, and this says so without a
    # query (the tags table keeps every tag with its history)
    rule_tags: Mapped[str] = mapped_column(String(400), default="")
    # when a timer should look at this customer again (shop time); NULL: nothing scheduled
    rules_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    greeting_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    win_back_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        # covers the RFM scoring: customers with a purchase, in frequency rank order, with what is scored
        Index("ix_customers_rfm", "shop_id", "frequency", "customer_id", "last_purchase_at", "monetary_cents"),
        # the sorted positions of the quintile edges, read through these (services/crm/rfm_sql.py)
        Index("ix_customers_recency", "shop_id", "last_purchase_at", "frequency"),
        Index("ix_customers_monetary", "shop_id", "monetary_cents", "frequency"),
        Index("ix_customers_shop_segment", "shop_id", "segment"),
        Index("ix_customers_shop_grade", "shop_id", "grade"),
        Index("ix_customers_shop_rules_due", "shop_id", "rules_due_at"),
        Index("ix_customers_shop_greeting_due", "shop_id", "greeting_due_at"),
        Index("ix_customers_shop_win_back_due", "shop_id", "win_back_due_at"),
    )


class Purchase(Base):
    """An order as crm knows it (from the orders service's events), or one imported transaction."""

    __tablename__ = "purchases"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    purchase_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the order id, or imp-<import>-<line>
    customer_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8))  # order | import
    order_no: Mapped[str | None] = mapped_column(String(40))
    import_id: Mapped[str | None] = mapped_column(String(32))
    total_cents: Mapped[int | None] = mapped_column(Integer)
    placed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # placed while the buyer was blacklisted

    __table_args__ = (
        # covers the RFM aggregation: a full recompute reads no table rows, only this index
        Index("ix_purchases_rfm", "shop_id", "customer_id", "paid_at", "paid_cents", "refunded_cents", "cancelled_at"),
        Index("ix_purchases_shop_follow_up", "shop_id", "follow_up_due_at"),
        Index("ix_purchases_shop_import", "shop_id", "import_id"),
    )


class Refund(Base):
    __tablename__ = "refunds"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    refund_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_refunds_shop_order", "shop_id", "order_id"),)


class Return(Base):
    __tablename__ = "returns"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_returns_shop_customer", "shop_id", "customer_id"),)


class Dispute(Base):
    __tablename__ = "disputes"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dispute_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))  # buyer | seller | split
    ruled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_disputes_shop_customer", "shop_id", "customer_id"),)


class Review(Base):
    __tablename__ = "reviews"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    review_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    stars: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(10))  # positive | neutral | negative
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # a later revision never loses to an earlier one

    __table_args__ = (Index("ix_reviews_shop_customer", "shop_id", "customer_id"),)


class Conversation(Base):
    __tablename__ = "conversations"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))
    opened_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    csat_score: Mapped[int | None] = mapped_column(Integer)
    rated_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_conversations_shop_customer", "shop_id", "customer_id"),)


class Tag(Base):
    """A tag and its history: a row per time a tag was put on a customer; ``removed_*`` once it was taken off."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(8))  # manual | rule
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    added_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    removed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_tags_shop_customer", "shop_id", "customer_id"),
        Index("ix_tags_shop_tag", "shop_id", "tag"),
        # a tag is on a customer at most once at a time (two students adding it at once: one wins, one is told)
        Index(
            "uq_tags_current",
            "shop_id",
            "customer_id",
            "tag",
            unique=True,
            sqlite_where=CURRENT_TAG,
            postgresql_where=CURRENT_TAG,
        ),  # fmt: skip
    )


class BlacklistEntry(Base):
    __tablename__ = "blacklist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    added_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    lift_note: Mapped[str | None] = mapped_column(String(500))
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lifted_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_blacklist_shop_customer", "shop_id", "customer_id"),
        Index(
            "uq_blacklist_current",
            "shop_id",
            "customer_id",
            unique=True,
            sqlite_where=NOT_LIFTED,
            postgresql_where=NOT_LIFTED,
        ),  # fmt: skip
    )


class TimelineEntry(Base):
    """One line of a customer's history across services, from the event that told of it (at most once)."""

    __tablename__ = "timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))  # the event type (order.paid, ticket.opened, ...)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ref: Mapped[str | None] = mapped_column(String(64))  # order no, ticket id, review id ...
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_timeline_shop_customer_at", "shop_id", "customer_id", "at"),
        UniqueConstraint("shop_id", "event_id", name="uq_timeline_event"),
    )


class Import(Base):
    """An instructor's transaction history file, imported whole or not at all."""

    __tablename__ = "imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(8))  # csv | xlsx
    rows: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
    new_customers: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_imports_shop", "shop_id"),)


class CareTask(Base):
    __tablename__ = "care_tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))  # one task per occasion: the holiday, the order, the dormancy
    order_id: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    placeholders: Mapped[dict[str, str]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    announced_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("shop_id", "key", name="uq_care_tasks_key"),
        Index("ix_care_tasks_shop_customer", "shop_id", "customer_id"),
        Index("ix_care_tasks_shop_due", "shop_id", "due_at"),
    )


class RfmState(Base):
    """A shop's RFM as last computed in full: its reference moment, quintile edges and what is pending."""

    __tablename__ = "rfm_state"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pinned_as_of_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # an exercise's fixed "today"
    as_of_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the reference of the last computation
    computed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refresh_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # shop time the next computation is due
    dirty: Mapped[bool] = mapped_column(Boolean, default=True)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    took_ms: Mapped[int] = mapped_column(Integer, default=0)
    edges: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
