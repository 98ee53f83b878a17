"""Who is calling: the bearer token of a signed-in user, read once per request."""

from __future__ import annotations

from flask import current_app, g, request

from gateway.accounts import Identity, Tokens
from shoplab.errors import Unauthorized


def current_identity() -> Identity:
    if "identity" not in g:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthorized("sign in first", {"Authorization": ["a 'Bearer <token>' header is required"]})
        g.identity = tokens().read(header.removeprefix("Bearer ").strip())
    return g.identity


def tokens() -> Tokens:
    return Tokens(current_app.config["SECRET_KEY"])
