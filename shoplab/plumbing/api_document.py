"""What every API document says the same way: the error body as it is sent, the credentials, and the answers every
operation may give (a bad credential, bad input, something unknown, a state that forbids it).

flask-smorest documents its own error body (``code``, ``status``, ``errors``), which no ShopLab process sends; the
:class:`ShopLabApi` documents ``{"error", "message", "fields"}`` instead, as ``shoplab.plumbing.errors`` sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apispec import BasePlugin
from flask import Flask, request
from flask_smorest import Api
from marshmallow import INCLUDE, Schema, fields

from shoplab.errors import InvalidInput
from shoplab.plumbing.auth import HEADER, OPEN_PATHS

INTERNAL_TOKEN = "internalToken"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    INTERNAL_TOKEN: {
        "type": "apiKey",
        "in": "header",
        "name": HEADER,
        "description": "the internal credential: services take calls only from the gateway or its holders",
    },
}
# Answers any operation may give besides its own; each is a ShopLabError body.
COMMON_ERRORS = {
    "401": "the credential is missing or wrong",
    "404": "not found (or another shop's)",
    "405": "the path takes other methods (the Allow header lists them)",
    "409": "the current state does not allow it",
    "413": "the body is too large",
    "415": "the body is not JSON",
    "422": "a field is invalid: fields names each one with its reasons",
}


class ShopLabErrorSchema(Schema):
    """Every error any ShopLab process sends; some add details beside these (``retry_after``, ``state``)."""

    class Meta:
        unknown = INCLUDE

    error = fields.String(required=True, metadata={"description": "a code", "example": "invalid_input"})
    message = fields.String(required=True, metadata={"description": "for people"})
    fields_ = fields.Dict(
        data_key="fields",
        required=True,
        metadata={"description": "field name -> its reasons (nested for nested fields or rows); {} when none"},
    )


class ShopLabApi(Api):
    ERROR_SCHEMA = ShopLabErrorSchema


def error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/ShopLabError"}}}


def internal_only(path: str) -> list[dict[str, list]]:
    """A service's operations: every one takes the internal credential."""
    return [] if path in OPEN_PATHS else [{INTERNAL_TOKEN: []}]


class CommonAnswers(BasePlugin):
    """Adds the errors every operation may answer, and its security, to each operation as it is documented."""

    def __init__(self, security_for: Callable[[str], list[dict[str, list]]]) -> None:
        self.security_for = security_for

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            add_common_answers(operation)
            operation["security"] = self.security_for(path or "")


def add_common_answers(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status, description in COMMON_ERRORS.items():
        responses.setdefault(status, {"description": description, "content": error_content()})


def install_api_document(
    api: Api,
    schemes: dict[str, dict[str, Any]] | None = None,
    security_for: Callable[[str], list[dict[str, list]]] = internal_only,
) -> None:
    """Before any blueprint is registered: the credentials and the common answers of every operation."""
    for name, scheme in (schemes or SECURITY_SCHEMES).items():
        api.spec.components.security_scheme(name, scheme)
    api.spec.plugins.append(CommonAnswers(security_for))


def require_documented_bodies(app: Flask) -> None:
    """A body the document says is required must be there: without this, webargs reads a missing body as ``{}``
    and a schema of optional fields accepts it (an empty ``PUT .../queue-settings`` answered 200)."""

    @app.before_request
    def _body_present() -> None:
        if request.method not in ("POST", "PUT", "PATCH") or request.content_length or request.get_data(cache=True):
            return
        view = app.view_functions.get(request.endpoint or "")
        handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
        arguments = getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", [])
        if any(argument["in"] in ("json", "form", "files") and argument["required"] for argument in arguments):
            raise InvalidInput("this call takes a JSON body", {"body": ["required"]})
