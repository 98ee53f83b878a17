"""The crm service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from services.crm.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="crm", handlers=HANDLERS)
