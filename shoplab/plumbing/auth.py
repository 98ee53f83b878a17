"""Services accept calls only from the gateway or from holders of the internal credential."""

from __future__ import annotations

import hmac

from flask import Flask, request
from flask_smorest import Blueprint

from shoplab.errors import Unauthorized

HEADER = "X-ShopLab-Internal-Token"
OPEN_PATHS = ("/healthz", "/metrics", "/openapi.json")


def require_internal_token(app: Flask, token: str, *, only: Blueprint | None = None) -> None:
    """Refuse calls without the credential: every call but the open paths, or only those of one blueprint."""

    @app.before_request
    def _check() -> None:
        if request.path in OPEN_PATHS:
            return
        if only is not None and request.blueprint != only.name:
            return
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized(
                "services accept calls only through the gateway or with the internal credential",
                {HEADER: ["missing or wrong"]},
            )
