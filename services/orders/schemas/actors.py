"""Who acted, and the free text they wrote: the same checks on every route."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate


def Agent(**kw: Any) -> fields.String:
    """An agent's id (or ``buyer`` where a buyer may act)."""
    return fields.String(validate=validate.Length(min=1, max=64), **kw)


def Note(**kw: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=2000), **kw)
