"""The reviews service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from pathlib import Path

from services.reviews.handlers import HANDLERS
from services.reviews.models import Base
from services.reviews.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="reviews",
    handlers=HANDLERS,
    timers=TIMERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
)
