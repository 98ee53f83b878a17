"""The reviews service's parts, as its app and its worker are built from them."""

from __future__ import annotations

from services.reviews.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="reviews", handlers=HANDLERS)
