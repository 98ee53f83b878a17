from __future__ import annotations

from services.tickets.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="tickets", title="ShopLab tickets service", handlers=HANDLERS)
