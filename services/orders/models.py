"""The orders service's tables. Every row carries its shop_id; money is kept in integer cents (exact on every
backend, and summed by the database without rounding); times named ``*_at`` are on the shop's simulated clock
unless said otherwise."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shoplab.dbtypes import UtcDateTime


class Base(DeclarativeBase):
    pass


def new_id() -> str:
    return uuid.uuid4().hex


class ShippingTemplate(Base):
    """Fee and delivery-time range per destination country and carrier (运费模板)."""

    __tablename__ = "shipping_templates"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Product(Base):
    __tablename__ = "products"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(60))
    selling_points: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    weight_grams: Mapped[int] = mapped_column(Integer)
    shipping_template: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)


class Sku(Base):
    __tablename__ = "skus"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(40))
    options: Mapped[dict[str, str]] = mapped_column(JSON)
    options_zh: Mapped[dict[str, str]] = mapped_column(JSON)
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)  # units still available: reserved by orders as they are placed
    position: Mapped[int] = mapped_column(Integer)  # the order of the options in the catalog (M before L before XL)

    __table_args__ = (
        ForeignKeyConstraint(["shop_id", "product_id"], ["products.shop_id", "products.product_id"]),
        Index("ix_skus_shop_product", "shop_id", "product_id"),
    )


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_country: Mapped[str] = mapped_column(String(2))
    buyer_timezone: Mapped[str] = mapped_column(String(64))
    buyer_language: Mapped[str] = mapped_column(String(16))
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    items_cents: Mapped[int] = mapped_column(Integer)
    shipping_fee_cents: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipping_carrier: Mapped[str] = mapped_column(String(40))
    delivery_days_min: Mapped[int] = mapped_column(Integer)
    delivery_days_max: Mapped[int] = mapped_column(Integer)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    pay_by: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payment_method: Mapped[str | None] = mapped_column(String(30))
    payment_failure: Mapped[str | None] = mapped_column(String(40))  # the last failed attempt's reason
    ship_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    first_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How many reminders had been sent when ``payment.reminder_due`` was last announced: one announcement per round.
    reminder_due_round: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)  # wall clock

    lines: Mapped[list[OrderLine]] = relationship(lazy="selectin", order_by="OrderLine.id")

    __table_args__ = (
        UniqueConstraint("shop_id", "order_no", name="uq_orders_shop_order_no"),
        Index("ix_orders_shop_state_pay_by", "shop_id", "state", "pay_by"),
        Index("ix_orders_shop_placed_at", "shop_id", "placed_at"),
        Index("ix_orders_shop_paid_at", "shop_id", "paid_at"),
        Index("ix_orders_shop_shipped_at", "shop_id", "shipped_at"),
        Index("ix_orders_shop_first_reminded_at", "shop_id", "first_reminded_at"),
        Index("ix_orders_shop_state_delivered_at", "shop_id", "state", "delivered_at"),
        Index("ix_orders_shop_customer", "shop_id", "customer_id"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    sku: Mapped[str] = mapped_column(String(60))
    product_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    title_zh: Mapped[str] = mapped_column(String(300))
    options: Mapped[dict[str, str]] = mapped_column(JSON)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_order_lines_shop_order", "shop_id", "order_id"),)


class Payment(Base):
    """Every payment attempt, the failed ones with their reason."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(20))  # succeeded | failed
    failure_reason: Mapped[str | None] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_payments_shop_order", "shop_id", "order_id"),)


class Reminder(Base):
    """A payment reminder (催付) and its result note (备注)."""

    __tablename__ = "reminders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    noted_by: Mapped[str | None] = mapped_column(String(64))
    noted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_reminders_shop_order", "shop_id", "order_id"),
        Index("ix_reminders_shop_sent_at", "shop_id", "sent_at"),
        Index("ix_reminders_shop_sender", "shop_id", "sent_by", "sent_at"),
    )


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


class AddressChange(Base):
    """The history of an order's shipping address (changes are allowed only before shipping)."""

    __tablename__ = "address_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(32))
    old_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_address_changes_shop_order", "shop_id", "order_id"),)
