"""Every error leaves as JSON: ``{"error": ..., "message": ..., "fields": {...}}``, never an HTML page."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from shoplab.errors import ShopLabError

log = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict | None = None, **details: object):
    return {"error": code, "message": message, "fields": fields or {}, **details}


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ShopLabError)
    def _domain(exc: ShopLabError):
        response = jsonify(error_body(exc.code, exc.message, exc.fields, **exc.details))
        response.status_code = exc.status
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        fields: dict = {}
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if isinstance(messages, dict):  # webargs: {"json": {...}, "query": {...}}
            for location_fields in messages.values():
                if isinstance(location_fields, dict):
                    fields.update(location_fields)
        code = (exc.name or "error").lower().replace(" ", "_")
        message = data.get("message") if isinstance(data, dict) and data.get("message") else exc.description
        if fields and code == "unprocessable_entity":
            code, message = "invalid_input", "some fields are invalid"
        response = jsonify(error_body(code, message or code, fields))
        response.status_code = exc.code or 500
        for name, value in exc.get_headers():  # Allow of a 405, Retry-After, WWW-Authenticate: kept
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return jsonify(error_body("internal_error", "an unexpected error occurred; it has been logged")), 500
