from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema


@dataclass(frozen=True)
class Contract:
    type: str
    schema: type[Schema]
    version: int = 1
    description: str = ""


def contracts(*items: Contract) -> dict[str, Contract]:
    return {item.type: item for item in items}
