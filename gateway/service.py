from __future__ import annotations

from pathlib import Path

from gateway.models import Base
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="gateway",
    title="ShopLab gateway (public API)",
    handlers={},
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
