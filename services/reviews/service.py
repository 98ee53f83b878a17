"""The reviews service's parts, as its app and its worker are built from them (no tables yet: models and migrations
come with the first one)."""

from __future__ import annotations

from services.reviews.handlers import HANDLERS
from services.reviews.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="reviews", handlers=HANDLERS, timers=TIMERS)
