"""Who may open a page, and the CSRF tokens of its forms.

- A page is for a person signed in with the browser cookie (``gateway/sessions.py``); anyone else is sent to the
  sign-in page, and a student who must still choose a password to the password page.
- A shop's page is for the people who reach the shop (``gateway/access.py``): anyone else gets 404, as the API
  answers, so a student typing another student's conversation or order into the address bar learns nothing.
- Every form that changes something carries a CSRF token: the sign-in's own (checked by ``sessions`` for every
  cookie-authenticated POST), or, before anyone is signed in (the sign-in form, the language switch), one kept in
  Flask's signed session cookie.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import urlparse

from flask import g, redirect, request, session, url_for

from gateway import access, sessions
from gateway.models import Shop
from gateway.tokens import Identity
from shoplab.errors import Forbidden, ShopLabError, Unauthorized
from shoplab.plumbing.web import db

FORM_TOKEN = "form_csrf"


def signed_in_person() -> Identity | None:
    """The person of this request's browser sign-in, or None."""
    try:
        who = sessions.current_identity(password_change_pending_ok=True)
    except Unauthorized:
        return None
    return who if who.kind == "browser" else None


def page(view: Callable) -> Callable:
    """A page for signed-in people: ``g.who`` is the person."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        who = signed_in_person()
        if who is None:
            if request.headers.get("HX-Request"):
                response = redirect(url_for("web_auth.login"))
                response.headers["HX-Redirect"] = url_for("web_auth.login")
                return response
            return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))
        if who.must_change_password and request.endpoint != "web_auth.password":
            return redirect(url_for("web_auth.password"))
        g.who = who
        return view(*args, **kwargs)

    return guarded


def shop_of_page(shop_id: str) -> Shop:
    """The shop of a page, if the signed-in person reaches it; else 404 as if it did not exist."""
    with db().reading() as reading:
        shop = access.visible_shop(reading, g.who, shop_id)
        reading.expunge(shop)
        return shop


def form_token() -> str:
    """The CSRF token of a form shown before anyone is signed in."""
    if FORM_TOKEN not in session:
        session[FORM_TOKEN] = secrets.token_urlsafe(24)
    return session[FORM_TOKEN]


def check_form_token() -> None:
    given = (request.form.get(sessions.CSRF_FIELD) or "").encode()
    expected = (session.get(FORM_TOKEN) or "").encode()
    if not expected or not hmac.compare_digest(given, expected):
        raise Forbidden("this form has expired; reload the page", {sessions.CSRF_FIELD: ["missing or wrong"]})


def page_csrf() -> str:
    """The token a page puts in its forms and in the meta tag htmx and our scripts send."""
    who = getattr(g, "who", None)
    if who is None:
        try:
            who = signed_in_person()
        except ShopLabError:  # a refused form (its token missing) still shows a page that says so
            who = None
    return who.csrf_token if who is not None and who.csrf_token else form_token()


def safe_next(target: str | None) -> str | None:
    """A ``next`` address inside ShopLab only (never another site after signing in)."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
