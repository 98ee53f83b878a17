from __future__ import annotations

from pathlib import Path

from services.tickets.handlers import HANDLERS
from services.tickets.models import Base
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="tickets",
    title="ShopLab tickets service",
    handlers=HANDLERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
