"""The gateway's app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from gateway.api import auth_api, shops_api
from gateway.health import health
from gateway.home import home
from gateway.service import SPEC
from shoplab.plumbing.metrics import install_metrics
from shoplab.plumbing.runtime import ServiceRuntime
from shoplab.plumbing.web import base_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app, api = base_app("gateway", SPEC.title, config)
    runtime = ServiceRuntime(SPEC, app.config.get("DATABASE_URL"), relay_thread=True)
    runtime.migrate()
    app.extensions["shoplab"] = runtime
    install_metrics(app, runtime)
    app.register_blueprint(health)
    app.register_blueprint(home)
    api.register_blueprint(auth_api)
    api.register_blueprint(shops_api)
    return app
