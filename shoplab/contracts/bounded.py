"""Input bounded at the edge: every number and moment an API takes fits the column it goes to and the arithmetic it
feeds (timers add seconds to a shop's clock; a year-9999 moment plus a day overflows Python's datetime).

- :class:`Integer`: whole numbers only (``1.5`` and ``true`` are refused, not truncated: a quantity of 1.5 was stored
  as 1), within ``minimum``..``maximum`` (default 0 .. 2^31-1, a PostgreSQL ``integer`` column); a query string's
  ``"10"`` is 10.
- :class:`DateTime`: an ISO moment with its offset, years 1970 to 2099 (a shop's calendar lives there).
- :class:`Period`: a query's ``from`` and ``to`` such moments, ``to`` after ``from``.
- ``SECONDS_MAX``: the longest duration a setting may name (a year), so a due time stays a date.

Each documents its bounds in OpenAPI (``minimum``/``maximum`` as numbers), and a value outside them is a 422 naming
the field."""

from __future__ import annotations

import numbers
import re
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

INT32_MAX = 2**31 - 1
SECONDS_MAX = 366 * 86400
FIRST_YEAR, LAST_YEAR = 1970, 2099  # 1970: course exercises analyse real purchase logs (CDNOW is 1997-98)
_WHOLE = re.compile(r"-?[0-9]{1,18}")


class Integer(fields.Integer):
    """A whole number within ``minimum``..``maximum`` (inclusive)."""

    default_error_messages = {"invalid": "must be a whole number"}

    def __init__(self, *, minimum: int = 0, maximum: int = INT32_MAX, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        extra = kwargs.pop("validate", None)
        checks = [validate.Range(min=minimum, max=maximum, error=f"must be {minimum} to {maximum}")]
        if extra is not None:
            checks += extra if isinstance(extra, list) else [extra]
        super().__init__(strict=False, validate=checks, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, str):
            if not _WHOLE.fullmatch(value.strip()):
                raise self.make_error("invalid")
            return int(value)
        if isinstance(value, numbers.Number) and not isinstance(value, numbers.Integral):
            try:
                whole = float(value).is_integer()  # JSON's 2.0 is the integer 2 (as JSON Schema reads it)
            except (OverflowError, ValueError):
                whole = False
            if not whole:
                raise self.make_error("invalid")
        return super()._validated(value)


class DateTime(fields.AwareDateTime):
    """A moment with its UTC offset (ISO 8601), in the years 1970 to 2099."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        note = f"ISO 8601 with an offset, years {FIRST_YEAR} to {LAST_YEAR}"
        metadata["description"] = f"{metadata['description']} ({note})" if "description" in metadata else note
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValidationError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
        return moment


class Period(Schema):
    """A query's half-open period ``[from, to)``; services add their own filters by subclassing."""

    from_ = DateTime(data_key="from", required=True, metadata={"description": "inclusive"})
    to = DateTime(required=True, metadata={"description": "exclusive; after from"})

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ValidationError("must be after 'from'", "to")


class Flag(fields.Boolean):
    """A JSON body's boolean: ``true`` or ``false`` only (marshmallow's Boolean also takes ``1``, ``"yes"``, ``"on"``,
    which the document's ``type: boolean`` does not allow). Query strings keep ``fields.Boolean``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)
