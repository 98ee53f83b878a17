"""The gateway's app factory: the same builder as every service, with its public API, web pages and health."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, jsonify, request

from gateway import openapi_doc
from gateway.allowed_methods import answer_options_truly
from gateway.api import shops_api
from gateway.auth_api import auth_api
from gateway.buyer_api import buyer_api
from gateway.classes_api import classes_api
from gateway.health import health
from gateway.injections_api import injections_api
from gateway.login_limits import TooManyAttempts
from gateway.openapi_doc import add_public_routes
from gateway.public_api import public_api
from gateway.runs_api import runs_api, runs_internal
from gateway.screens_api import screens_api
from gateway.service import SPEC
from gateway.sessions import fence_request
from gateway.shop_views import views_api
from gateway.web import install_web
from shoplab import settings
from shoplab.plumbing.api_document import require_documented_bodies
from shoplab.plumbing.auth import require_internal_token
from shoplab.plumbing.errors import error_body
from shoplab.plumbing.web import build_service_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = build_service_app(
        SPEC,
        [auth_api, classes_api, shops_api, views_api, screens_api, injections_api, runs_api, runs_internal, buyer_api],
        config,
        pages=[public_api],  # the forwarding catch-alls: the document lists what they forward (openapi_doc.py)
        health_check=health,
        schemes=openapi_doc.SECURITY_SCHEMES,
        security_for=openapi_doc.security_for,
    )
    # the simulator's calls (issue 13) take the internal credential, like the services' own routes
    require_internal_token(app, app.config.get("INTERNAL_TOKEN") or settings.internal_token(), only=runs_internal)
    install_web(app)  # the web pages, their languages, assets and security headers
    app.before_request(fence_request)
    require_documented_bodies(app)
    answer_options_truly(app)
    app.before_request(_document_when_first_asked(app))

    @app.errorhandler(TooManyAttempts)
    def _too_many(exc: TooManyAttempts):
        response = jsonify(error_body(exc.code, exc.message, exc.fields, **exc.details))
        response.status_code = exc.status
        response.headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        return response

    return app


def _document_when_first_asked(app: Flask):
    """The forwarded routes join the API document when it is first asked for, not at start: building the services'
    documents imports their code, which would slow every gateway process's start for a page few open."""
    spec = app.extensions["flask-smorest"]["blp_name_to_api"]["auth"].spec
    done = threading.Event()
    lock = threading.Lock()

    def add_once() -> None:
        if done.is_set() or request.path != "/openapi.json":
            return
        with lock:
            if not done.is_set():
                add_public_routes(spec)
                done.set()

    return add_once
