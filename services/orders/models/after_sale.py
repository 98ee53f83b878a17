"""After-sale: refunds and returns (售后)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.orders.models.base import Base
from shoplab.dbtypes import UtcDateTime


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # refund_only | return_and_refund
    reason: Mapped[str] = mapped_column(String(30))
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # requested | approved | rejected | completed | closed
    note: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    return_id: Mapped[str | None] = mapped_column(String(32))
    dispute_id: Mapped[str | None] = mapped_column(String(64))  # set when a platform ruling ordered it

    __table_args__ = (
        UniqueConstraint("shop_id", "dispute_id", name="uq_refunds_dispute"),
        Index("ix_refunds_shop_order", "shop_id", "order_id"),
        Index("ix_refunds_shop_completed_at", "shop_id", "completed_at"),
        Index("ix_refunds_shop_decider", "shop_id", "decided_by", "decided_at"),
    )


class ReturnRequest(Base):
    """Goods coming back: requested → approved (return address) → shipped_back → received → refunded|exchanged."""

    __tablename__ = "returns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    refund_id: Mapped[str | None] = mapped_column(String(32))
    resolution: Mapped[str] = mapped_column(String(20))  # refund | exchange
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    return_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    shipped_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exchange_shipment_id: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_returns_shop_order", "shop_id", "order_id"),
        Index("ix_returns_shop_received_at", "shop_id", "received_at"),
    )
