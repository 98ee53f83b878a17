"""The tickets service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from pathlib import Path

from services.tickets.handlers import HANDLERS
from services.tickets.models import Base
from services.tickets.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="tickets",
    handlers=HANDLERS,
    timers=TIMERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
