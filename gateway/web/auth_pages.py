"""Signing in and out, the first-login password change, the language switch, and the front door (``/``), which sends
each person where their work is: a student to their shop's workbench, an instructor to their classes' shops.

Each form calls the code the public API calls (``gateway/sessions.py``, ``gateway/accounts.py``), so a page can do
nothing the API would refuse: the same rate limits, the same password rules, the same revocation.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, make_response, redirect, render_template, request, url_for

from gateway import access, sessions
from gateway.accounts import set_locale
from gateway.login_limits import TooManyAttempts
from gateway.web import language
from gateway.web.language import gettext as _
from gateway.web.page_access import check_form_token, page, safe_next, signed_in_person
from shoplab.errors import InvalidInput, ShopLabError, Unauthorized
from shoplab.plumbing.web import db

auth_pages = Blueprint("web_auth", __name__)
YEAR = 365 * 86400


@auth_pages.route("/")
@page
def home() -> Response:
    with db().reading() as reading:
        shops = reading.scalars(access.shops_visible_to(g.who)).all()
    if g.who.is_student and len(shops) == 1:
        return redirect(url_for("web_workbench.workbench", shop_id=shops[0].id))
    if g.who.is_instructor:
        return redirect(url_for("web_work.classes"))
    return render_template("shops.html", shops=shops)


@auth_pages.route("/login", methods=["GET", "POST"])
def login() -> Response:
    if request.method == "GET":
        if signed_in_person() is not None:
            return redirect(safe_next(request.args.get("next")) or "/")
        return render_template("login.html", next=safe_next(request.args.get("next")))
    check_form_token()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = safe_next(request.form.get("next"))
    if not username or not password:
        return _login_again(username, target, _("Enter your username and password."), 422)
    try:
        token, user, _csrf = sessions.sign_in(username, password, kind="browser")
    except TooManyAttempts as exc:
        seconds = int(exc.details.get("retry_after", 60))
        message = _("Too many failed sign-ins. Try again in %(seconds)s seconds.", seconds=seconds)
        return _login_again(username, target, message, 429)
    except Unauthorized:
        return _login_again(username, target, _("Wrong username or password."), 401)
    destination = url_for("web_auth.password") if user.must_change_password else (target or "/")
    response = redirect(destination)
    sessions.set_session_cookie(response, token)
    if user.locale:  # the language they chose before, on any browser
        remember_language(response, user.locale)
    return response


def _login_again(username: str, target: str | None, message: str, status: int) -> Response:
    return make_response(render_template("login.html", username=username, next=target, error=message), status)


@auth_pages.route("/password", methods=["GET", "POST"])
@page
def password() -> Response:
    first_time = g.who.must_change_password
    if request.method == "GET":
        return render_template("password.html", first_time=first_time)
    current, new = request.form.get("current_password", ""), request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        return _password_again(first_time, {"repeat_password": _("The two new passwords differ.")})
    try:
        token, _user, _csrf = sessions.change_password(current, new, kind="browser")
    except InvalidInput as exc:
        return _password_again(first_time, {name: _password_reason(name) for name in exc.fields})
    response = redirect("/")
    return sessions.set_session_cookie(response, token)


def _password_reason(field: str) -> str:
    return {
        "current_password": _("The current password is wrong."),
        "new_password": _("Choose a new password of at least 8 characters, different from the current one."),
    }.get(field, _("Check this field."))


def _password_again(first_time: bool, errors: dict[str, str]) -> Response:
    return make_response(render_template("password.html", first_time=first_time, errors=errors), 422)


@auth_pages.post("/logout")
@page
def logout() -> Response:
    sessions.sign_out()
    return sessions.clear_session_cookie(redirect(url_for("web_auth.login")))


@auth_pages.post("/language")
def switch_language() -> Response:
    chosen = language.normalise(request.form.get("language")) or language.DEFAULT_LOCALE
    who = signed_in_person()  # a signed-in person's form carries their sign-in's CSRF token (checked by sessions)
    if who is None:
        check_form_token()
    else:
        with db().writing() as writing:
            set_locale(writing, who.user_id, chosen)
    response = redirect(safe_next(request.form.get("next")) or safe_next(_referrer_path()) or "/")
    return remember_language(response, chosen)


def _referrer_path() -> str | None:
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    return referrer[len(host) :] if referrer.startswith(host) else None


def remember_language(response: Response, locale: str) -> Response:
    response.set_cookie(
        language.COOKIE, locale, max_age=YEAR, httponly=True, samesite="Lax", secure=sessions.cookie_secure(), path="/"
    )
    return response


@auth_pages.errorhandler(ShopLabError)
def _refused(exc: ShopLabError):
    return make_response(render_template("error.html", status=exc.status, message=exc.message), exc.status)
