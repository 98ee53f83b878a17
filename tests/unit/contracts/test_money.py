"""The one Money field: two-place decimal strings on the wire, integer minor units inside, bad amounts refused."""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from shoplab.contracts.money import MAX_MINOR, Money, from_minor, to_minor, wire


class Priced(Schema):
    amount = Money(required=True)
    refund = Money(positive=True, load_default=None)


@pytest.mark.parametrize(("given", "minor"), [("19.99", 1999), ("0", 0), ("7.5", 750), (" 12.30 ", 1230)])
def test_amounts_load_as_minor_units_and_dump_as_two_place_strings(given, minor):
    loaded = Priced().load({"amount": given})
    assert loaded["amount"] == minor
    assert Priced().dump(loaded)["amount"] == wire(minor) == f"{minor // 100}.{minor % 100:02d}"


@pytest.mark.parametrize(
    "given",
    [19.99, 1999, True, None, "", "abc", "NaN", "Infinity", "-Infinity", "1e5", "１２.００", "12.345", "-0.01",
     str(MAX_MINOR // 100 + 1), "9" * 40, "12,30"],
)  # fmt: skip
def test_bad_amounts_are_refused_naming_the_field(given):
    with pytest.raises(ValidationError) as caught:
        Priced().load({"amount": given})
    assert "amount" in caught.value.messages


def test_positive_refuses_zero():
    with pytest.raises(ValidationError) as caught:
        Priced().load({"amount": "1.00", "refund": "0.00"})
    assert caught.value.messages == {"refund": ["must be between 0.01 and 10000000000.00"]}


def test_dumping_anything_but_minor_units_is_a_mistake_caught():
    with pytest.raises(ValidationError):
        Priced().dump({"amount": "19.99"})


def test_conversions_are_exact():
    assert to_minor("0.29") == 29 and to_minor("1234567.89") == 123456789
    assert str(from_minor(29)) == "0.29"
