"""The gateway's app factory: the same builder as every service, with its public API, pages and aggregated health."""

from __future__ import annotations

from typing import Any

from flask import Flask

from gateway.api import auth_api, shops_api
from gateway.health import health
from gateway.home import home
from gateway.service import SPEC
from shoplab.plumbing.web import build_service_app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    return build_service_app(SPEC, [auth_api, shops_api], config, pages=[home], health_check=health)
