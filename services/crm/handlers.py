"""The events the crm service handles, one line per subscribed type (its line of ``shoplab/topology.py``)."""

from __future__ import annotations

from shoplab.eventbus.consumer import Handler
from shoplab.shops import replica

HANDLERS: dict[str, Handler] = {
    "shop.opened": replica.on_shop_opened,
    "shop.clock_changed": replica.on_shop_clock_changed,
}
