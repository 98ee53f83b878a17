"""The gateway's ``/healthz``: its own state and every service's, asked in parallel, answered within 2 s."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

import requests
from flask import Blueprint, current_app, jsonify

from shoplab.plumbing.health import service_health
from shoplab.topology import SERVICES

SERVICE_TIMEOUT_SECONDS = 1.5

health = Blueprint("gateway_health", __name__)
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="healthz")


def _ask(name: str, url: str) -> dict:
    try:
        response = requests.get(f"{url}/healthz", timeout=SERVICE_TIMEOUT_SECONDS)
        body = response.json()
        return {"status": "up" if response.status_code == 200 else "down", "checks": body.get("checks", {})}
    except Exception as exc:
        return {"status": "down", "error": f"{type(exc).__name__}: {str(exc)[:160]}"}


@health.get("/healthz")
def healthz():
    own, own_ok = service_health(current_app.extensions["shoplab"])
    others = {name: svc for name, svc in SERVICES.items() if name != "gateway"}
    futures = {name: _pool.submit(_ask, name, svc.url) for name, svc in others.items()}
    wait(futures.values(), timeout=SERVICE_TIMEOUT_SECONDS + 0.3)
    services = {"gateway": {"status": own["status"], "checks": own["checks"]}}
    for name, future in futures.items():
        services[name] = future.result() if future.done() else {"status": "down", "error": "no answer in time"}
    healthy = own_ok and all(s["status"] == "up" for s in services.values())
    return jsonify({"status": "up" if healthy else "down", "services": services}), 200 if healthy else 503
