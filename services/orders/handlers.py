"""The events the orders service handles: the registry matches its line in shoplab.eventbus.subscriptions."""

from __future__ import annotations

from shoplab.eventbus.consumer import Handler
from shoplab.shops import replica

HANDLERS: dict[str, Handler] = {
    **replica.HANDLERS,
}
