"""Money, one way everywhere: integer minor units (cents, fen) in Python and in every database, a decimal string
with two places on the wire (API bodies and event payloads), e.g. ``1999`` ⇄ ``"19.99"``.

Why strings on the wire: a JSON number is a binary float in most clients, and ``0.1 + 0.2`` is not a price.
Why integers inside: sums and comparisons are exact on SQLite and PostgreSQL alike. Every currency a platform
profile may name has two minor digits (``MINOR_DIGITS``); a profile naming another is refused when it loads.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from marshmallow import ValidationError, fields

CENT = Decimal("0.01")
# The currencies ShopLab prices in, each with its minor digits. Only two-digit currencies: the wire form is fixed.
MINOR_DIGITS: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "GBP": 2, "AUD": 2, "CAD": 2}
# ASCII digits only (Decimal would also read "１２" or "1e5"), a sign, a point: what a person types as a price.
_AMOUNT = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")
# The largest amount anyone may name: ten billion in major units, far inside a 64-bit column of minor units.
MAX_MINOR = 10**12


def to_minor(amount: Decimal | str | int) -> int:
    """A major-unit amount (``"19.99"``, ``Decimal("19.99")``, ``19``) in minor units (``1999``)."""
    return int((Decimal(str(amount)) / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int) -> Decimal:
    """Minor units as a two-place Decimal: ``1999`` → ``Decimal("19.99")``."""
    return (Decimal(minor) * CENT).quantize(CENT)


def wire(minor: int) -> str:
    """Minor units as they travel: ``1999`` → ``"19.99"``."""
    return str(from_minor(minor))


class Money(fields.Field):
    """An amount: loads a decimal string in major units into integer minor units; dumps integer minor units as a
    two-place decimal string.

    ``minimum`` and ``maximum`` are in minor units (the default range is 0 … ``MAX_MINOR``); ``positive`` means more
    than zero. More than two decimal places, NaN, infinities and booleans are refused, not rounded."""

    default_error_messages = {
        "invalid": "must be an amount such as 19.99 (a string, at most two decimal places)",
        "places": "at most two decimal places",
        "range": "must be between {low} and {high}",
    }

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_MINOR, positive: bool = False, **kwargs: Any) -> None:
        self.minimum = max(minimum, 1) if positive else minimum
        self.maximum = maximum
        metadata = {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?\d{1,10}(\.\d{1,2})?$" if self.minimum < 0 else r"^\d{1,10}(\.\d{1,2})?$",
            "example": "19.99",
            "x-minimum": wire(self.minimum),
            "x-maximum": wire(self.maximum),
            **kwargs.pop("metadata", {}),
        }
        description = metadata.get("description", "")
        range_note = f"an amount in the shop's currency, {wire(self.minimum)} to {wire(self.maximum)}"
        metadata["description"] = f"{description} ({range_note})" if description else range_note
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{attr}: money inside ShopLab is integer minor units, got {value!r}")
        return wire(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        # Strings only: money is served as a string, and a number here is more often a mistake than a price (an
        # integer of minor units passed where the wire form belongs would silently become a hundred times more).
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value.strip()):
            raise self.make_error("invalid")
        amount = Decimal(value.strip())
        # the range first: quantizing 1E+100000 would itself fail
        if not Decimal(self.minimum) * CENT <= amount <= Decimal(self.maximum) * CENT:
            raise self.make_error("range", low=wire(self.minimum), high=wire(self.maximum))
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            raise self.make_error("places")
        return to_minor(amount)
