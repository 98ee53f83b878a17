from __future__ import annotations

from services.orders.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="orders", title="ShopLab orders service", handlers=HANDLERS)
