"""The web UI's plumbing, installed on the gateway's app: templates and static files (every asset served by ShopLab,
no CDN), the language of each page (Flask-Babel: 中文 by default, English), locale-aware formats for money and the
two clocks, and the security headers of every page (Content-Security-Policy without inline script).

Pages themselves are blueprints in this package; they call the gateway's public API in-process, as any client
would, so the UI can do nothing the API does not allow.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Blueprint, Flask, Response, g, request
from flask_babel import Babel

from gateway.web.formats import CLASSROOM_TIMEZONE, install_formats
from gateway.web.language import DEFAULT_LOCALE, LOCALES, install_fast_gettext, select_locale

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"

# Every page may load scripts, styles, images and fonts from ShopLab only; no inline script or style, no eval, no
# frames. The live stream and htmx's fetches go to the same origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURE = ("1", "true", "yes")

assets = Blueprint(
    "web_assets", __name__, static_folder="static", static_url_path="/assets", template_folder="templates"
)


def install_web(app: Flask, *, pages: bool = True) -> None:
    """The plumbing (languages, formats, assets, headers) and, with ``pages``, the gateway's pages."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", CLASSROOM_TIMEZONE)
    # Flask's signed session cookie holds only the CSRF token of the forms shown before signing in
    app.config.setdefault("SESSION_COOKIE_NAME", "shoplab_form")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", os.environ.get("SHOPLAB_COOKIE_SECURE", "").lower() in SECURE)
    Babel(app, locale_selector=select_locale)
    install_fast_gettext(app)
    app.register_blueprint(assets)
    install_formats(app)
    app.jinja_env.globals["LOCALES"] = LOCALES
    if pages:
        _install_pages(app)

    @app.after_request
    def _page_headers(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.path.startswith("/assets/vendor/"):
            # vendored files are named by their version: a new version is a new URL
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _install_pages(app: Flask) -> None:
    from gateway.web.auth_pages import auth_pages
    from gateway.web.customer_pages import customer_pages
    from gateway.web.js_strings import js_strings
    from gateway.web.labels import choices, label
    from gateway.web.page_access import page_csrf
    from gateway.web.review_pages import review_pages
    from gateway.web.system_events import last_words
    from gateway.web.work_pages import work_pages
    from gateway.web.workbench import workbench_pages

    for blueprint in (auth_pages, workbench_pages, work_pages, review_pages, customer_pages):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        label=label, label_choices=choices, csrf_token=page_csrf, js_strings=js_strings, last_words=last_words
    )

    @app.after_request
    def _server_time(response: Response) -> Response:
        started = getattr(g, "page_started", None)
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @app.before_request
    def _start_timer() -> None:
        g.page_started = time.perf_counter()
