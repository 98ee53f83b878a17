"""The gateway's parts: it handles no events, runs no timers, and its routes are public."""

from __future__ import annotations

from pathlib import Path

from gateway.models import Base
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="gateway",
    handlers={},
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
    public=True,
)
