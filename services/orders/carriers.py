"""Carriers and their tracking-number formats (data: ``catalog/carriers.yaml``)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shoplab.errors import InvalidInput

CARRIERS_FILE = Path(__file__).resolve().parent / "catalog" / "carriers.yaml"


@cache
def carriers() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(CARRIERS_FILE.read_text(encoding="utf-8"))
    return {str(code): {**info, "regex": re.compile(info["pattern"])} for code, info in data.items()}


def check_tracking(carrier: str, tracking_no: str, allowed: list[str], *, field_prefix: str = "") -> str:
    """The tracking number, normalised, once it fits the carrier's format; the carrier must be one the shop uses."""
    if carrier not in allowed or carrier not in carriers():
        raise InvalidInput(
            f"the shop does not ship with {carrier!r}",
            {f"{field_prefix}carrier": [f"one of {', '.join(allowed)}"]},
        )
    normalised = re.sub(r"\s+", "", tracking_no).upper()
    info = carriers()[carrier]
    if not info["regex"].fullmatch(normalised):
        raise InvalidInput(
            f"{tracking_no!r} is not a {info['name']} tracking number",
            {f"{field_prefix}tracking_no": [f"does not match the {carrier} format, e.g. {info['example']}"]},
            expected_pattern=info["pattern"],
        )
    return normalised
