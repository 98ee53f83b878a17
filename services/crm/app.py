"""The crm service's app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from services.crm.api import BLUEPRINTS
from services.crm.service import SPEC
from shoplab.plumbing.web import build_service_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    return build_service_app(SPEC, BLUEPRINTS, config)
