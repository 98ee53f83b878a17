"""The reviews service's app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from services.reviews import sentiment
from services.reviews.api import BLUEPRINTS
from services.reviews.service import SPEC
from shoplab.plumbing.web import build_service_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = build_service_app(SPEC, BLUEPRINTS, config)
    if not app.config.get("TESTING"):
        # snownlp takes seconds to load: a served process loads it now, not on its first Chinese review (tests load
        # it when they first need it, so they do not pay for it in the background of unrelated tests)
        sentiment.warm_up()
    return app
