"""The orders service's app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from services.orders.api import BLUEPRINTS
from services.orders.order_writer import WRITER, OrderWriter
from services.orders.service import SPEC
from shoplab.plumbing.web import build_service_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = build_service_app(SPEC, BLUEPRINTS, config)
    runtime = app.extensions["shoplab"]
    runtime.parts[WRITER] = OrderWriter(runtime.db)
    return app
