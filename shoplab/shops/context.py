"""The shop context: what every rule of every service is given instead of reading clocks or the shop itself.

Built once per request, per event and per timer tick, and passed down. It holds the shop (this service's copy),
its platform profile, the shop's simulated "now" and the wall clock's "now", both read at the same instant, so
one piece of work sees one moment on both clocks.

- ``shop_now`` is the business calendar (payment timeouts, parcels, windows, SLA due times): ``*_at`` columns.
- ``wall_now`` is people's time (reply times, audit stamps): ``*_wall_at`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shoplab.shops.clock import wall_now as read_wall_clock
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import ShopCopy, get_shop

Profile = dict[str, Any]


@dataclass(frozen=True)
class ShopContext:
    shop: ShopCopy
    profile: Profile
    shop_now: datetime
    wall_now: datetime

    @property
    def id(self) -> str:
        return self.shop.id

    @property
    def currency(self) -> str:
        return self.profile["currency"]

    @classmethod
    def of(cls, shop: ShopCopy, wall_now: datetime | None = None) -> ShopContext:
        """The context of a shop already read; both clocks read at one instant."""
        wall = wall_now or read_wall_clock()
        return cls(shop=shop, profile=load_profile(shop.platform or ""), shop_now=shop.clock.now(wall), wall_now=wall)

    def at(self, wall_now: datetime) -> ShopContext:
        """The same shop at another wall moment (an event's, a test's)."""
        return ShopContext.of(self.shop, wall_now)


def shop_context(session: Session | Connection, shop_id: str, *, wall_now: datetime | None = None) -> ShopContext:
    """The context of a shop this service knows (404 ``NotFound`` otherwise)."""
    return ShopContext.of(get_shop(session, shop_id), wall_now)
