from __future__ import annotations

from services.crm.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="crm", title="ShopLab crm service", handlers=HANDLERS)
