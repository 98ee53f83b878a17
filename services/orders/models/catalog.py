"""The catalog: shipping templates, products and their SKUs with their stock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.orders.models.base import Base


class ShippingTemplate(Base):
    """Fee and delivery-time range per destination country and carrier (运费模板).

    ``rules``: ``[{countries, carrier, fee_cents, per_kg_cents, days_min, days_max}]`` — ``fee_cents`` for the
    first kg, ``per_kg_cents`` for each started kg above it; ``countries`` a list of codes or ``"*"``."""

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
