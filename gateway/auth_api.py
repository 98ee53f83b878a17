"""Sign-in, sign-out, the signed-in user and their password; browser sign-ins set a cookie (``gateway/sessions.py``)."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway import accounts, sessions
from gateway.models import User
from gateway.schemas import BrowserLoginOut, LocaleIn, LoginIn, LoginOut, PasswordIn, PasswordOut, UserOut
from shoplab.plumbing.api_document import ShopLabErrorSchema
from shoplab.plumbing.web import db

auth_api = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign in and out")


@auth_api.route("/login")
class Login(MethodView):
    @auth_api.arguments(LoginIn)
    @auth_api.response(200, LoginOut)
    @auth_api.alt_response(
        429,
        schema=ShopLabErrorSchema,  # the error body every refusal has, with retry_after beside it
        description="too many failed sign-ins for this username or address",
        headers={"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    )
    def post(self, data):
        """Sign in with a username and password; returns a bearer token (valid 12 hours, revocable).

        When ``user.must_change_password`` is true (an imported or reset student), every other call answers 403
        ``password_change_required`` until ``POST /api/v1/auth/password``."""
        token, user, _ = sessions.sign_in(data["username"], data["password"])
        return {"token": token, "user": user}


@auth_api.route("/session")
class BrowserSession(MethodView):
    @auth_api.arguments(LoginIn)
    @auth_api.response(200, BrowserLoginOut)
    def post(self, data):
        """Browser sign-in: the same check, a ``shoplab_session`` cookie (HttpOnly, SameSite=Lax) and the CSRF token
        to send with every state-changing request."""
        token, user, csrf = sessions.sign_in(data["username"], data["password"], kind="browser")
        response = jsonify({"user": UserOut().dump(user), "csrf_token": csrf})
        return sessions.set_session_cookie(response, token)


@auth_api.route("/logout")
class Logout(MethodView):
    @auth_api.response(204)
    def post(self):
        """Sign out: this token (or browser session) stops working at once."""
        sessions.sign_out()
        response = jsonify({})
        response.status_code = 204
        return sessions.clear_session_cookie(response)


@auth_api.route("/me")
class Me(MethodView):
    @auth_api.response(200, UserOut)
    def get(self):
        """The signed-in user, as the database says now."""
        who = sessions.current_identity(password_change_pending_ok=True)
        with db().reading() as session:
            return session.get(User, who.user_id)


@auth_api.route("/password")
class Password(MethodView):
    @auth_api.arguments(PasswordIn)
    @auth_api.response(200, PasswordOut)
    def post(self, data):
        """Change your password: every sign-in of yours is revoked, and a new token is returned."""
        token, user, _ = sessions.change_password(data["current_password"], data["new_password"])
        return {"token": token, "user": user}


@auth_api.route("/locale")
class Locale(MethodView):
    @auth_api.arguments(LocaleIn)
    @auth_api.response(200, UserOut)
    def post(self, data):
        """Remember your language for the web pages (``zh_CN`` or ``en``), wherever you sign in next."""
        who = sessions.current_identity(password_change_pending_ok=True)
        with db().writing() as session:
            return UserOut().dump(accounts.set_locale(session, who.user_id, data["locale"]))
