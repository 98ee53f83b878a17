from __future__ import annotations

from services.reviews.handlers import HANDLERS
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(name="reviews", title="ShopLab reviews service", handlers=HANDLERS)
