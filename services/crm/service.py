"""The crm service's parts, as its app and its worker are built from them (no tables yet: models and migrations
come with the first one)."""

from __future__ import annotations

from services.crm.handlers import HANDLERS
from services.crm.timers import TIMERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="crm", handlers=HANDLERS, timers=TIMERS)
