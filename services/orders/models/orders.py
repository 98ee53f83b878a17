"""Orders and what happens to them before they ship: lines, payment attempts, payment reminders, address changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.orders.models.base import Base
from shoplab.dbtypes import UtcDateTime


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
    pay_due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the unpaid timeout (``pay_by`` in the API)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payment_method: Mapped[str | None] = mapped_column(String(30))
    payment_failure: Mapped[str | None] = mapped_column(String(40))  # the last failed attempt's reason
    ship_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # promised handling time (``ship_by``)
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
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when the row was written (audit)

    lines: Mapped[list[OrderLine]] = relationship(lazy="selectin", order_by="OrderLine.id")

    __table_args__ = (
        UniqueConstraint("shop_id", "order_no", name="uq_orders_shop_order_no"),
        Index("ix_orders_shop_state_pay_due_at", "shop_id", "state", "pay_due_at"),
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
