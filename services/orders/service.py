from __future__ import annotations

from pathlib import Path

from services.orders.handlers import HANDLERS
from services.orders.models import Base
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="orders",
    title="ShopLab orders service",
    handlers=HANDLERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
