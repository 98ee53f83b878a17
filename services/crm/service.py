"""The crm service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from pathlib import Path

from services.crm.handlers import HANDLERS
from services.crm.models import Base
from services.crm.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="crm",
    handlers=HANDLERS,
    timers=TIMERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
