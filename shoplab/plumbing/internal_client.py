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

import threading
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from shoplab import settings
from shoplab.errors import ShopLabError
from shoplab.plumbing.auth import HEADER
from shoplab.topology import SERVICES

CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 10.0
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
        import json

        return json.loads(self.body) if self.body else None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "application/json")


class InternalClient:
    """One service's client in this process; connections are pooled per thread (``requests.Session`` is not meant
    to be shared between threads)."""

    def __init__(self, service: str, *, token: str | None = None, pool: int = 16) -> None:
        self.service = service
        self.token = token
        self.pool = pool
        self._local = threading.local()

    @property
    def base_url(self) -> str:
        return SERVICES[self.service].url

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.pool, max_retries=0)
            session.mount("http://", adapter)
            session.headers[HEADER] = self.token or settings.internal_token()
            self._local.session = session
        return session

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
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                response = self._session().request(
                    method,
                    f"{self.base_url}{path}",
                    json=json,
                    params=params,
                    data=data,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT, timeout or READ_TIMEOUT),
                    allow_redirects=False,
                )
            except requests.ConnectionError as exc:
                # refused or reset before an answer (a read timeout is not one: it is handled below)
                if attempt + 1 < attempts:
                    continue
                raise self._unavailable(exc) from exc
            except requests.Timeout as exc:
                raise self._unavailable(exc) from exc
            kept = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_HEADERS}
            return ServiceResponse(response.status_code, response.content, kept)
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
            _CLIENTS[service] = InternalClient(service, pool=max(settings.web_threads() * 2, 8))
        return _CLIENTS[service]
