"""The orders service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from pathlib import Path

from services.orders.handlers import HANDLERS
from services.orders.models import Base
from services.orders.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="orders",
    handlers=HANDLERS,
    timers=TIMERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
