"""HTTP to the gateway for the simulator process: one urllib3 pool per process (keep-alive, thread-safe), the buyer
API with a shop's buyer key and the customer named by ``X-Customer-Id``, and the gateway's internal scenario-run
routes with the internal credential.

A buyer request the shop refuses (404, 409, 422, or any 4xx) raises ``Refused``: the buyer takes it as a fact. A gateway
that does not answer, or answers 5xx, raises ``GatewayUnavailable``: the tick stops and is tried again (the buyer's
step is not lost: the simulator keeps the run and ticks it again later; see docs/simulator.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import urllib3

from shoplab import settings
from shoplab.plumbing.auth import HEADER
from shoplab.topology import SERVICES
from simulator.port import Refused

TIMEOUT = urllib3.Timeout(connect=2.0, read=15.0)


class GatewayUnavailable(Exception):
    """The gateway did not answer, or failed (5xx): nothing to conclude about the buyer's request."""


class GatewayHttp:
    """The process's connection pool to the gateway."""

    def __init__(self, base_url: str | None = None, *, pool: int = 8) -> None:
        self.base_url = (base_url or SERVICES["gateway"].url).rstrip("/")
        self.pool = urllib3.PoolManager(num_pools=2, maxsize=pool, block=False, retries=False, timeout=TIMEOUT)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> tuple[int, Any]:
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        data = json.dumps(body).encode() if body is not None else None
        sent = {**headers, **({"Content-Type": "application/json"} if data is not None else {})}
        try:
            response = self.pool.request(method, url, body=data, headers=sent)
        except urllib3.exceptions.HTTPError as exc:
            raise GatewayUnavailable(f"{method} {path}: {exc}") from exc
        if response.status >= 500:
            raise GatewayUnavailable(f"{method} {path}: {response.status} {response.data[:200]!r}")
        try:
            answer = json.loads(response.data) if response.data else None
        except ValueError:
            answer = None
        return response.status, answer

    # -- the internal scenario-run routes -------------------------------------------------------------------------
    def internal(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.request(method, path, headers={HEADER: settings.internal_token()}, body=body)
        if status >= 400:
            raise GatewayUnavailable(f"{method} {path}: {status} {answer}")
        return answer


class BuyerApi:
    """One shop's buyer API (``/api/v1/buyer/shops/<shop_id>``) with its buyer key."""

    def __init__(self, http: GatewayHttp, shop_id: str, key: str) -> None:
        self.http = http
        self.prefix = f"/api/v1/buyer/shops/{quote(shop_id, safe='')}"
        self.auth = {"Authorization": f"Bearer {key}"}
        self.calls = 0

    def call(
        self,
        method: str,
        path: str,
        buyer: str | None = None,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        headers = {**self.auth, **({"X-Customer-Id": buyer} if buyer else {})}
        self.calls += 1
        status, answer = self.http.request(method, self.prefix + path, headers=headers, body=body, params=params)
        if status >= 400:
            answer = answer if isinstance(answer, dict) else {}
            raise Refused(status, str(answer.get("message") or answer.get("error") or status), answer.get("fields"))
        return answer
