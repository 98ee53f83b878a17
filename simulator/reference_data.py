"""The simulator's data files (``simulator/data/*.yaml``, ``simulator/texts/*.yaml``), read once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the texts are read at start-up
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
TEXTS_DIR = PACKAGE_DIR / "texts"


@cache
def data(name: str) -> dict[str, Any]:
    """``data("behaviour")`` is ``simulator/data/behaviour.yaml``."""
    return _read(DATA_DIR / f"{name}.yaml")


@cache
def texts(language: str) -> dict[str, Any]:
    """The texts buyers write in ``language`` (``simulator/texts/<language>.yaml``)."""
    return _read(TEXTS_DIR / f"{language}.yaml")


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"simulator data file {path} is missing")
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(loaded, dict):
        raise ValueError(f"simulator data file {path.name} must hold a mapping")
    return loaded


def behaviour() -> dict[str, Any]:
    return data("behaviour")


def default_levels() -> dict[str, float]:
    return dict(behaviour()["levels"])
