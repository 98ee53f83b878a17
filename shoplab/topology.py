"""Which processes ShopLab is made of, and where each one listens.

One table, read by the supervisor, the gateway (to find the services), the tests and the compose check.
Hosts and ports can be changed by environment: ``SHOPLAB_<NAME>_HOST`` / ``SHOPLAB_<NAME>_PORT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SERVICE_NAMES = ("gateway", "orders", "tickets", "reviews", "crm")


@dataclass(frozen=True)
class Service:
    name: str
    app_module: str  # "package.module:factory()" for gunicorn
    worker_module: str  # celery -A target
    default_port: int

    @property
    def host(self) -> str:
        return os.environ.get(f"SHOPLAB_{self.name.upper()}_HOST", "127.0.0.1")

    @property
    def port(self) -> int:
        return int(os.environ.get(f"SHOPLAB_{self.name.upper()}_PORT", self.default_port))

    @property
    def url(self) -> str:
        override = os.environ.get(f"SHOPLAB_{self.name.upper()}_URL")
        return override or f"http://{self.host}:{self.port}"

    @property
    def queue(self) -> str:
        """The service's own durable Redis list: events and timers for it wait here."""
        return self.name


SERVICES: dict[str, Service] = {
    "gateway": Service("gateway", "gateway.app:create_app()", "gateway.worker", 8000),
    "orders": Service("orders", "services.orders.app:create_app()", "services.orders.worker", 8001),
    "tickets": Service("tickets", "services.tickets.app:create_app()", "services.tickets.worker", 8002),
    "reviews": Service("reviews", "services.reviews.app:create_app()", "services.reviews.worker", 8003),
    "crm": Service("crm", "services.crm.app:create_app()", "services.crm.worker", 8004),
}

REDIS_DEFAULT_PORT = 6390  # not 6379: another Redis on the machine may hold that one
