"""Calls between ShopLab processes (the gateway's public API and pages calling the services), with the internal
credential.

- Timeouts always: a service that hangs must not hang the gateway's request threads.
- A service's answer passes through as it is: its status and its JSON body (errors are already ShopLab's
  ``{"error", "message", "fields"}``), never re-wrapped.
- A service that cannot be reached is :class:`ServiceUnavailable` (503, JSON, naming the service).
- Only idempotent calls (GET, HEAD) are tried a second time, and only when the connection failed before anything
  was sent; a POST that timed out may have taken effect, so it is never repeated here.
"""

from __future__ import annotations

import json as jsonlib
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, TimeoutError

from shoplab import settings
from shoplab.errors import ShopLabError
from shoplab.plumbing.auth import HEADER
from shoplab.topology import SERVICES

CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 10.0
KEPT_CONNECTIONS = 64
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


class ServiceUnavailable(ShopLabError):
    status = 503
    code = "service_unavailable"


@dataclass(frozen=True)
class ServiceResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "application/json")


class InternalClient:
    """One service's client in this process, on urllib3's thread-safe connection pool (keep-alive).

    urllib3 directly, not requests: a call through the gateway is mostly this client's own work, and requests
    spent a third of it merging environment settings (proxies, netrc) that internal calls never use."""

    def __init__(self, service: str, *, token: str | None = None, pool: int = 16) -> None:
        self.service = service
        self.token = token
        self.pool = pool
        self._pools: dict[str, urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return SERVICES[self.service].url

    def _pool_for(self, base_url: str) -> urllib3.HTTPConnectionPool:
        pool = self._pools.get(base_url)
        if pool is None:
            with self._lock:
                pool = self._pools.get(base_url)
                if pool is None:
                    parts = urlsplit(base_url)
                    pool = urllib3.HTTPConnectionPool(
                        parts.hostname, parts.port or 80, maxsize=self.pool, block=False, retries=False
                    )
                    self._pools[base_url] = pool
        return pool

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> ServiceResponse:
        method = method.upper()
        sent_headers = {HEADER: self.token or settings.internal_token(), **(headers or {})}
        body = data
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent_headers["Content-Type"] = "application/json"
        url = f"{path}?{urlencode(params, doseq=True)}" if params else path
        pool = self._pool_for(self.base_url)
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                response = pool.urlopen(
                    method,
                    url,
                    body=body,
                    headers=sent_headers,
                    timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=timeout or READ_TIMEOUT),
                    retries=False,
                    redirect=False,
                    preload_content=True,
                )
            except TimeoutError as exc:  # a read timeout: a POST may have taken effect, so never again here
                raise self._unavailable(exc) from exc
            except (NewConnectionError, ProtocolError) as exc:
                # refused, or a kept-alive connection the service had closed: nothing was answered
                if attempt + 1 < attempts:
                    continue
                raise self._unavailable(exc) from exc
            except HTTPError as exc:
                raise self._unavailable(exc) from exc
            kept = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_HEADERS}
            return ServiceResponse(response.status, response.data, kept)
        raise AssertionError("unreachable")

    def get(self, path: str, **kwargs: Any) -> ServiceResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> ServiceResponse:
        return self.request("POST", path, **kwargs)

    def _unavailable(self, exc: Exception) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"the {self.service} service did not answer; try again in a moment",
            {"service": [f"{self.service}: {type(exc).__name__}"]},
            service=self.service,
        )


# What a service's answer keeps when it passes through the gateway.
_PASSED_HEADERS = frozenset({"content-type", "content-disposition", "retry-after", "allow", "location"})

_CLIENTS: dict[str, InternalClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(service: str) -> InternalClient:
    """The process's client for ``service`` (one per service, shared by the request threads)."""
    with _CLIENTS_LOCK:
        if service not in _CLIENTS:
            # connections kept alive per service: the gateway calls from its joined-view threads (64) besides its
            # request threads, and a connection beyond the pool was closed after each call (328 in a bench minute),
            # so the next call paid a new connection on both sides
            _CLIENTS[service] = InternalClient(service, pool=max(settings.web_threads() * 2, KEPT_CONNECTIONS))
        return _CLIENTS[service]
