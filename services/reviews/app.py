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
        # snownlp takes 7-11 s of CPU to load. A served app loads it here, before it serves: gunicorn builds it in its
        # master (--preload, shoplab/topology.py) and forks workers that share the model and answer at once. Loaded
        # in a thread of each worker instead, it held the GIL for seconds and starved the request threads (/healthz
        # timed out, gunicorn killed workers). Tests load it when they first need it.
        sentiment.load_models()
    return app
