"""Field spellings the tickets schemas share: message text, ids, and ways to show a model's columns."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import fields, missing, validate

from services.tickets.messages import MAX_BODY


def Body(**kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    """Every message text: 1 to 2000 characters, not only blanks."""
    return fields.String(
        validate=[validate.Length(min=1, max=MAX_BODY), validate.Regexp(r"\S", error="must not be blank")], **kwargs
    )


def Id(**kwargs: Any) -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


class Flattened(fields.Nested):
    """A nested object made of the parent's own attributes (a ticket's SLA columns shown as ``sla``).

    ``present``, when given, says whether there is anything to show; otherwise the field is null."""

    def __init__(self, nested: Any, *, present: Any = None, **kwargs: Any) -> None:
        super().__init__(nested, **kwargs)
        self.present = present

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return obj if self.present is None or self.present(obj) else None


class IsSet(fields.Boolean):
    """Whether a column holds a value (``paid``: the order's payment time is known)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> bool:
        return value is not None


class StoredJson(fields.List):
    """A list kept as JSON text in a column (evidence, a message's warnings); empty when the column is."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[Any] | None:
        return super()._serialize(json.loads(value) if value else [], attr, obj, **kwargs)


class StoredObject(fields.Dict):
    """An object kept as JSON text in a column (a system event's params); null when the column is."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, Any] | None:
        return super()._serialize(json.loads(value) if value else None, attr, obj, **kwargs)
