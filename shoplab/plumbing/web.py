"""The app factory every service uses: config, OpenAPI, JSON errors, health, metrics, auth, bus routes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, request
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from shoplab import settings
from shoplab.plumbing.api_document import ShopLabApi, install_api_document, internal_only, require_documented_bodies
from shoplab.plumbing.auth import require_internal_token
from shoplab.plumbing.bus_api import bus_api
from shoplab.plumbing.database import Database
from shoplab.plumbing.errors import install_error_handlers
from shoplab.plumbing.health import health
from shoplab.plumbing.metrics import install_metrics
from shoplab.plumbing.runtime import ServiceRuntime, ServiceSpec


def base_app(
    name: str,
    title: str,
    config: dict[str, Any] | None = None,
    *,
    schemes: dict[str, dict[str, Any]] | None = None,
    security_for: Callable[[str], list[dict[str, list]]] = internal_only,
) -> tuple[Flask, Api]:
    """A Flask app with OpenAPI at ``/openapi.json`` and JSON errors: what the gateway and the services share.

    ``schemes`` and ``security_for`` (path -> the operation's security) say its credentials in the document."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = Flask(name)
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
        SECRET_KEY=settings.secret_key(),
    )
    app.config.update(config or {})
    api = ShopLabApi(app)
    install_api_document(api, schemes, security_for)
    install_error_handlers(app)  # after Api: ours replace flask-smorest's error body

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        # Werkzeug checks the limit only when a view reads the body; refuse up front, before auth and any view.
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length and request.content_length > limit:
            raise RequestEntityTooLarge(f"request bodies are limited to {limit} bytes")

    return app, api


def build_service_app(
    spec: ServiceSpec,
    blueprints: Iterable[Blueprint],
    config: dict[str, Any] | None = None,
    *,
    pages: Iterable[FlaskBlueprint] = (),
    health_check: FlaskBlueprint = health,
    schemes: dict[str, dict[str, Any]] | None = None,
    security_for: Callable[[str], list[dict[str, list]]] = internal_only,
) -> Flask:
    """Every service's app, the gateway's included: its runtime (migrated), health, metrics, the bus routes, and its
    blueprints. Services demand the internal credential on every route; the gateway (``spec.public``) does not,
    and keeps the bus routes behind that credential."""
    app, api = base_app(spec.name, spec.title, config, schemes=schemes, security_for=security_for)
    runtime = ServiceRuntime(spec, app.config.get("DATABASE_URL"), relay_thread=True)
    runtime.migrate()
    # The app may be built in gunicorn's master (--preload) and its workers forked from it: none of them may share
    # a database connection (or an SQLite writers' gate) with another. Each opens its own on first use.
    runtime.db.engine.dispose()
    app.extensions["shoplab"] = runtime
    token = app.config.get("INTERNAL_TOKEN") or settings.internal_token()
    if spec.public:
        require_internal_token(app, token, only=bus_api)
    else:
        require_internal_token(app, token)
        require_documented_bodies(app)  # after the credential; the gateway's after its fence
    install_metrics(app, runtime)
    app.register_blueprint(health_check)
    api.register_blueprint(bus_api)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    for page in pages:  # plain Flask blueprints, outside the API document (the gateway's web pages)
        app.register_blueprint(page)
    return app


def current_runtime() -> ServiceRuntime:
    """The runtime of the app serving the current request: the one way views reach it."""
    return current_app.extensions["shoplab"]


def db() -> Database:
    """The current service's database (:meth:`Database.reading` / :meth:`Database.writing`)."""
    return current_runtime().db
