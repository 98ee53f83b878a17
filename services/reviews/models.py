"""The reviews service's tables. Every row carries its shop_id. Times named ``*_at`` are on the shop's simulated clock
(the business calendar: windows, metric periods), ``*_wall_at`` on the wall clock (people's time: reply times,
audit stamps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shoplab.dbtypes import UtcDateTime


class Base(DeclarativeBase):
    pass


def new_id() -> str:
    return uuid.uuid4().hex


class OrderFacts(Base):
    """What the orders and tickets services' events told us of an order, kept whichever event came first."""

    __tablename__ = "order_facts"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str | None] = mapped_column(String(200))  # from order.placed
    buyer_language: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))
    total_cents: Mapped[int | None] = mapped_column(Integer)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    placed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disputed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # dispute.opened, or a ruling that overtook it
    dispute_id: Mapped[str | None] = mapped_column(String(64))

    lines: Mapped[list[OrderLineFacts]] = relationship(lazy="selectin", order_by="OrderLineFacts.line_no")

    __table_args__ = (
        Index("ix_order_facts_shop_placed_at", "shop_id", "placed_at"),
        Index("ix_order_facts_shop_customer", "shop_id", "customer_id"),
    )


class OrderLineFacts(Base):
    """An order's line as ``order.placed`` listed it; a review is of one line (its SKU, unique within an order)."""

    __tablename__ = "order_lines"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (ForeignKeyConstraint(["shop_id", "order_id"], ["order_facts.shop_id", "order_facts.order_id"]),)


class Review(Base):
    """One review of one order line, as it stands now (its current version's stars, class and scores)."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(60))
    line_title: Mapped[str] = mapped_column(String(300))
    product_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="published")  # published | removed
    stars: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(8))  # positive | neutral | negative, by the profile's rule
    as_described: Mapped[int] = mapped_column(Integer)
    service: Mapped[int] = mapped_column(Integer)
    logistics: Mapped[int] = mapped_column(Integer)
    first_stars: Mapped[int] = mapped_column(Integer)  # as first posted: a revision keeps them for the record
    first_rating: Mapped[str] = mapped_column(String(8))
    mismatch: Mapped[str | None] = mapped_column(String(40))  # the current version's stars and text disagree
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    posted_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revised_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    followed_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revision_closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # announced: may no longer be revised
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    removed_rule: Mapped[str | None] = mapped_column(String(40))

    versions: Mapped[list[ReviewVersion]] = relationship(lazy="selectin", order_by="ReviewVersion.seq")
    reply: Mapped[ReviewReply | None] = relationship(lazy="selectin")
    # read only by the one-review view
    contacts: Mapped[list[ContactAttempt]] = relationship(lazy="select", order_by="ContactAttempt.id", viewonly=True)
    removal_requests: Mapped[list[RemovalRequest]] = relationship(
        lazy="select", order_by="RemovalRequest.id", viewonly=True
    )

    __table_args__ = (
        UniqueConstraint("shop_id", "order_id", "sku", name="uq_reviews_shop_order_line"),
        Index("ix_reviews_shop_posted_at", "shop_id", "posted_at"),
        Index("ix_reviews_shop_customer", "shop_id", "customer_id"),
        Index("ix_reviews_shop_first_rating_posted_at", "shop_id", "first_rating", "posted_at"),
    )


class ReviewVersion(Base):
    """Every text the buyer wrote on a review, in order: the review (1), its one revision, its one follow-up (追评);
    each with its sentiment, as scored when it was written."""

    __tablename__ = "review_versions"

    review_id: Mapped[str] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # review | revision | follow_up
    stars: Mapped[int | None] = mapped_column(Integer)  # none on a follow-up
    rating: Mapped[str | None] = mapped_column(String(8))
    as_described: Mapped[int | None] = mapped_column(Integer)
    service: Mapped[int | None] = mapped_column(Integer)
    logistics: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON)
    sentiment_score: Mapped[float] = mapped_column(Float)
    sentiment_label: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    mismatch: Mapped[str | None] = mapped_column(String(40))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    written_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReviewReply(Base):
    """The shop's one public reply to a review (解释), editable for a while after it was first written."""

    __tablename__ = "review_replies"

    review_id: Mapped[str] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(64))  # who replied first
    text: Mapped[str] = mapped_column(Text)
    first_text: Mapped[str] = mapped_column(Text)
    edits: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the platform rules' warnings on the text now
    reply_seconds: Mapped[float] = mapped_column(Float)  # wall seconds from the review to the first reply
    replied_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replied_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    edited_by: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    edited_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_review_replies_shop_replied_at", "shop_id", "replied_at"),
        Index("ix_review_replies_shop_agent", "shop_id", "agent_id"),
    )


class ContactAttempt(Base):
    """A student's attempt to reach the buyer of a neutral/negative review (中差评回访)."""

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    review_id: Mapped[str] = mapped_column(ForeignKey("reviews.id"))
    agent_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    contacted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    contacted_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_contact_attempts_shop_review", "shop_id", "review_id"),
        Index("ix_contact_attempts_shop_contacted_at", "shop_id", "contacted_at"),
    )


class RemovalRequest(Base):
    """The shop asked the platform to remove a review on one of its rules; the platform's judgement, with why."""

    __tablename__ = "removal_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    review_id: Mapped[str] = mapped_column(ForeignKey("reviews.id"))
    agent_id: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(40))  # the rule the shop invoked
    note: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))  # granted | refused
    matched: Mapped[list[str]] = mapped_column(JSON)  # the words or fragments that broke the rule
    explanation: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_removal_requests_shop_review", "shop_id", "review_id"),
        Index("ix_removal_requests_shop_requested_at", "shop_id", "requested_at"),
    )
