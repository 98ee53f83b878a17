"""``GET /healthz``: the state of the service's database, Redis and worker; 200 only when all are up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from shoplab.eventbus.heartbeat import worker_state

health = Blueprint("health", __name__)


def service_health(runtime) -> tuple[dict[str, Any], bool]:
    checks: dict[str, Any] = {}
    try:
        runtime.db.ping()
        checks["database"] = {"status": "up", "dialect": runtime.db.engine.dialect.name}
    except Exception as exc:
        checks["database"] = {"status": "down", "error": str(exc)[:200]}
    try:
        runtime.redis.ping()
        checks["redis"] = {"status": "up"}
    except Exception as exc:
        checks["redis"] = {"status": "down", "error": str(exc)[:200]}
    if checks["redis"]["status"] == "up":
        try:
            checks["worker"] = worker_state(runtime.redis, runtime.spec.name, runtime.spec.name)
        except Exception as exc:
            checks["worker"] = {"status": "unknown", "error": str(exc)[:200]}
    else:
        checks["worker"] = {"status": "unknown", "error": "Redis is down"}
    healthy = all(check["status"] == "up" for check in checks.values())
    return {"service": runtime.spec.name, "status": "up" if healthy else "down", "checks": checks}, healthy


@health.get("/healthz")
def healthz():
    body, healthy = service_health(current_app.extensions["shoplab"])
    return jsonify(body), 200 if healthy else 503
