"""Errors that business rules raise; the HTTP layer turns each into a JSON 4xx with its fields.

Plain Python on purpose: the rules that raise them know nothing of Flask.
"""

from __future__ import annotations


class ShopLabError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, fields: dict | None = None, *, headers: dict[str, str] | None = None, **details: object
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}  # sent as HTTP headers (``Allow`` of a 405), not in the body
        self.details = details


class InvalidInput(ShopLabError):
    status = 422
    code = "invalid_input"


class NotFound(ShopLabError):
    status = 404
    code = "not_found"


class Conflict(ShopLabError):
    """The request is well formed but the thing is not in a state that allows it (e.g. paying a cancelled order)."""

    status = 409
    code = "conflict"


class Forbidden(ShopLabError):
    status = 403
    code = "forbidden"


class Unauthorized(ShopLabError):
    status = 401
    code = "unauthorized"
