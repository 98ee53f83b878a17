"""Logistics: parcels shipped (originals, reshipments, exchanges) and the steps of their tracking timelines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.orders.models.base import Base
from shoplab.dbtypes import UtcDateTime


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # original | reshipment | exchange
    reason: Mapped[str | None] = mapped_column(String(40))  # why a reshipment was sent
    replaces_shipment_id: Mapped[str | None] = mapped_column(String(32))
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))  # in_transit | delivered | lost | returned_to_sender
    shipped_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shipped_by: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool]
    first_scan_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the carrier's first scan (valid tracking)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    damaged: Mapped[bool]

    __table_args__ = (
        UniqueConstraint("shop_id", "carrier", "tracking_no", name="uq_shipments_tracking"),
        Index("ix_shipments_shop_order", "shop_id", "order_id"),
        Index("ix_shipments_shop_shipped_at", "shop_id", "shipped_at"),
        Index("ix_shipments_shop_shipper", "shop_id", "shipped_by", "shipped_at"),
    )


class TrackingEvent(Base):
    """One step of a parcel's timeline, planned at shipment; it happens (``occurred_at``) once the shop's clock
    reaches ``due_at``, or at once when injected as an exception."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # checkpoint | exception
    status: Mapped[str] = mapped_column(String(30))
    location: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_tracking_events_pending", "shop_id", "occurred_at", "due_at"),
        Index("ix_tracking_events_shipment", "shop_id", "shipment_id", "seq"),
    )
