"""What every view needs: the service's database, and the shop with its profile and its simulated now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from services.orders.order_writer import OrderWriter
from shoplab.plumbing.database import Database
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import ShopCopy, get_shop


def db() -> Database:
    return current_app.extensions["shoplab"].db


def order_writer() -> OrderWriter:
    return current_app.extensions["orders.writer"]


@dataclass(frozen=True)
class ShopContext:
    shop: ShopCopy
    profile: dict[str, Any]
    now: datetime

    @property
    def id(self) -> str:
        return self.shop.id


def shop_context(session: Session, shop_id: str) -> ShopContext:
    """The shop (404 when this service has not heard of it), its platform profile and its simulated now."""
    shop = get_shop(session, shop_id)
    return ShopContext(shop=shop, profile=load_profile(shop.platform), now=shop.clock.now())
