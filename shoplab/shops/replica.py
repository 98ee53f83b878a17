"""Each service's own copy of the shops it serves, kept from ``shop.opened`` and ``shop.clock_changed``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from shoplab.dbtypes import UtcDateTime
from shoplab.errors import NotFound
from shoplab.eventbus.envelope import Event
from shoplab.eventbus.tables import BusBase
from shoplab.shops.clock import ShopClock


class ShopCopy(BusBase):
    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))  # unknown while only a clock change has arrived
    platform: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    class_id: Mapped[str | None] = mapped_column(String(64))
    wall_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    sim_anchor: Mapped[datetime] = mapped_column(UtcDateTime)
    speed: Mapped[float] = mapped_column(Float)
    paused: Mapped[bool]
    clock_version: Mapped[int] = mapped_column(Integer)
    opened_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the gateway opened it

    @property
    def clock(self) -> ShopClock:
        return ShopClock(self.wall_anchor, self.sim_anchor, self.speed, self.paused, self.clock_version)

    @property
    def is_open(self) -> bool:
        return self.name is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform,
            "currency": self.currency,
            "class_id": self.class_id,
            "clock": {**self.clock.to_dict(), "now": self.clock.now()},
        }


# Every request reads its shop: a Core statement built once costs half an ORM identity load.
_SHOP_ROWS = select(ShopCopy.__table__).where(ShopCopy.__table__.c.id.in_(bindparam("shop_ids", expanding=True)))


def get_shop(session: Session, shop_id: str) -> ShopCopy:
    """The shop as this service knows it (a copy to read, not attached to the session); a shop only heard of
    through a clock change is not open yet."""
    shop = get_shops(session, {shop_id}).get(shop_id)
    if shop is None:
        raise unknown_shop(shop_id)
    return shop


def get_shops(conn: Connection | Session, shop_ids: set[str]) -> dict[str, ShopCopy]:
    """The open shops among these, by id, in one query (for work done a round of requests at a time)."""
    rows = conn.execute(_SHOP_ROWS, {"shop_ids": sorted(shop_ids)}) if shop_ids else []
    shops = (ShopCopy(**row._mapping) for row in rows)
    return {shop.id: shop for shop in shops if shop.is_open}


def unknown_shop(shop_id: str) -> NotFound:
    return NotFound(f"shop {shop_id} is not known to this service", {"shop_id": ["unknown shop"]})


def shop_now(session: Session, shop_id: str) -> datetime:
    return get_shop(session, shop_id).clock.now()


def on_shop_opened(session: Session, event: Event) -> None:
    data = event.payload
    shop = session.get(ShopCopy, data["shop_id"]) or ShopCopy(id=data["shop_id"], clock_version=0)
    shop.name = data["name"]
    shop.platform = data["platform"]
    shop.currency = data["currency"]
    shop.class_id = data.get("class_id")
    shop.opened_wall_at = event.occurred_at
    _apply_clock(shop, data["clock"])
    session.add(shop)


def on_shop_clock_changed(session: Session, event: Event) -> None:
    """May arrive before ``shop.opened``: keep the clock and wait for the rest."""
    data = event.payload
    shop = session.get(ShopCopy, data["shop_id"]) or ShopCopy(id=data["shop_id"], clock_version=0)
    _apply_clock(shop, data["clock"])
    session.add(shop)


def _apply_clock(shop: ShopCopy, clock: dict[str, Any]) -> None:
    if clock["version"] <= (shop.clock_version or 0):
        return  # an older clock arriving late
    shop.wall_anchor = clock["wall_anchor"]
    shop.sim_anchor = clock["sim_anchor"]
    shop.speed = clock["speed"]
    shop.paused = clock["paused"]
    shop.clock_version = clock["version"]


HANDLERS = {"shop.opened": on_shop_opened, "shop.clock_changed": on_shop_clock_changed}
