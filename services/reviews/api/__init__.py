"""The reviews service's HTTP API: one flask-smorest blueprint per resource, listed here (none yet)."""

from __future__ import annotations

from flask_smorest import Blueprint

BLUEPRINTS: list[Blueprint] = []
