"""Who is calling, for the API and for the web pages: one identity from a bearer token or a browser cookie.

The small Python API the web UI builds on:

- :func:`sign_in` (username, password, ``kind="browser"``) → the token and the user; rate-limited like the API;
- :func:`set_session_cookie` / :func:`clear_session_cookie` on the page's response;
- :func:`current_identity` → :class:`gateway.tokens.Identity` (401 when nobody is signed in; 403
  ``password_change_required`` until an imported student has chosen their own password);
- :func:`csrf_token` → the token a page puts in every form (``csrf_token`` field) or fetch (``X-CSRF-Token``).

Browser sign-ins live in the same ``auth_tokens`` table as bearer tokens (same users, same revocation and expiry).
The cookie is ``HttpOnly`` and ``SameSite=Lax``; it is ``Secure`` when the request came over HTTPS, or always with
``SHOPLAB_COOKIE_SECURE=1`` (the embedded default serves plain HTTP on 127.0.0.1, where a Secure cookie would never
be sent back). Every state-changing request (POST, PUT, PATCH, DELETE) that a cookie authenticates must carry the
sign-in's CSRF token, else 403; requests with a bearer token need none (a browser never adds that header itself).
"""

from __future__ import annotations

import functools
import hmac
import os
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, g, request

from gateway import accounts, login_limits, passwords, tokens
from gateway.models import User
from gateway.tokens import Identity
from shoplab.errors import Forbidden, NotFound, Unauthorized
from shoplab.plumbing.web import current_runtime, db

COOKIE = "shoplab_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"


def current_identity(*, password_change_pending_ok: bool = False) -> Identity:
    """The signed-in person of this request (read once per request from the database)."""
    if "identity" not in g:
        g.identity = _identify_request(None)
    identity: Identity = g.identity
    if identity.must_change_password and not password_change_pending_ok:
        raise PasswordChangeRequired(
            "choose your own password first (POST /api/v1/auth/password)",
            {"new_password": ["required before anything else at first sign-in"]},
        )
    return identity


def _identify_request(shop_id: str | None) -> Identity:
    now = datetime.now(UTC)
    header = request.headers.get("Authorization", "")
    if header:
        if not header.startswith("Bearer "):
            raise Unauthorized("sign in first", {"Authorization": ["a 'Bearer <token>' header is required"]})
        with db().engine.connect() as connection:
            identity = tokens.identify(connection, header.removeprefix("Bearer ").strip(), now, "bearer", shop_id)
        if identity is None:
            raise Unauthorized(
                "your sign-in is not valid (signed out, expired or revoked); sign in again",
                {"Authorization": ["unknown, expired or revoked token"]},
            )
        return identity
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise Unauthorized("sign in first", {"Authorization": ["a 'Bearer <token>' header is required"]})
    with db().engine.connect() as connection:
        identity = tokens.identify(connection, cookie, now, "browser", shop_id)
    if identity is None:
        raise Unauthorized("your session has ended; sign in again", {COOKIE: ["unknown, expired or revoked"]})
    if request.method in UNSAFE_METHODS:
        _check_csrf(identity)
    return identity


def _check_csrf(identity: Identity) -> None:
    given = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD) if request.form else None) or ""
    if not identity.csrf_token or not hmac.compare_digest(given.encode(), identity.csrf_token.encode()):
        raise Forbidden(
            "this form or request is missing its CSRF token; reload the page",
            {CSRF_FIELD: [f"send the sign-in's CSRF token as '{CSRF_HEADER}' or form field '{CSRF_FIELD}'"]},
        )


def csrf_token() -> str | None:
    """The CSRF token of the current browser sign-in (None for bearer tokens, which need none)."""
    return current_identity(password_change_pending_ok=True).csrf_token


def sign_in(username: str, password: str, kind: str = "bearer") -> tuple[str, User, str | None]:
    """Check the password (rate-limited per username and client address) and open a sign-in of ``kind``: the token,
    the user and (browser sign-ins) the CSRF token."""
    redis_client = current_runtime().redis
    address = request.remote_addr or "unknown"
    login_limits.check(redis_client, username, address)
    with db().reading() as session:
        try:
            user = accounts.authenticate(session, username, password)
        except Unauthorized:
            login_limits.record_failure(redis_client, username, address)
            raise
        user_id, stale = user.id, passwords.needs_rehash(user.password_hash)
    new_hash = passwords.hash_password(password) if stale else None  # outside the write transaction: it is slow
    with db().writing() as session:
        user = session.get(User, user_id)
        if new_hash:
            user.password_hash = new_hash
        token, row = tokens.issue(session, user, datetime.now(UTC), kind)
    login_limits.record_success(redis_client, username)
    return token, user, row.csrf_token


def change_password(current: str, new: str, kind: str = "bearer") -> tuple[str, User, str | None]:
    """The signed-in person changes their password: every sign-in of theirs is revoked and a new one of ``kind``
    opened (the API's bearer token, or the browser's cookie)."""
    who = current_identity(password_change_pending_ok=True)
    with db().writing() as session:
        user = session.get(User, who.user_id)
        accounts.change_password(session, user, current, new)
    return sign_in(who.username, new, kind=kind)


def sign_out() -> None:
    """Revoke the sign-in of this request (bearer token or cookie)."""
    identity = current_identity(password_change_pending_ok=True)
    with db().writing() as session:
        tokens.revoke(session, identity.token_id, datetime.now(UTC))


def cookie_secure() -> bool:
    setting = os.environ.get("SHOPLAB_COOKIE_SECURE", "auto").lower()
    if setting in ("1", "true", "yes"):
        return True
    if setting in ("0", "false", "no"):
        return False
    return request.is_secure


def set_session_cookie(response: Response, token: str) -> Response:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(tokens.TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(),
        path="/",
    )
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax", secure=cookie_secure())
    return response


def fence_request() -> None:
    """Before any view reads a body: inside a shop or a class of the signed-in API, the caller must be signed in
    (401) and reach it (404), so that neither a malformed body nor a validation error says anything about a shop
    or class outside one's reach. Inside a shop, the sign-in and the reach are one database statement. Inside a
    shop of the buyer API, the caller must hold a buyer key of that shop."""
    from gateway import access
    from gateway.buyer_api import buyer_key_for

    buyer_shop = access.buyer_shop_id(request.path)
    if buyer_shop is not None:  # the buyer API: a key of this shop (401; another shop's, 404) before any body
        buyer_key_for(buyer_shop)
        return
    fenced = access.fenced_id(request.path)
    if fenced is None:
        return
    kind, ident = fenced
    if kind == "shop":
        g.identity = _identify_request(ident)
        who = current_identity()
        if not who.reaches_shop:
            raise access.not_found_shop(ident)
        return
    who = current_identity()
    with db().reading() as session:
        if not access.reaches_class(session, who, ident):
            raise NotFound(f"no class {ident}", {"class_id": ["unknown class"]})


def instructors_only(view: Callable) -> Callable:
    """Refuse other roles (403) before the view reads its body: put it above ``@blp.arguments``."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        from gateway import access

        access.require_instructor(current_identity())
        return view(*args, **kwargs)

    return checked
