"""A running ShopLab for the browser tests, and the people in it.

The gateway, orders, tickets, reviews and crm apps of one stack are served on real sockets (``ServedApps`` of the
gateway's integration tests), with their real Celery workers and beat, so events travel the bus as in ``make run``
and the live stream rings through the gateway's worker. Buyers act only through the public buyer API with a buyer
key the instructor issued — exactly as the simulator will.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from shoplab.topology import SERVICES
from tests.stack import eventually

CUSTOMERS = {
    "wang": {"name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "li": {"name": "李华", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "zhao": {"name": "赵敏", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "sun": {"name": "孙丽", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "emma": {"name": "Emma Johnson", "country": "US", "timezone": "America/New_York", "language": "en"},
}
ADDRESS = {"recipient": "王小明", "phone": "13800138000", "line1": "文三路 90 号", "city": "杭州", "country": "CN"}
US_ADDRESS = {"recipient": "Emma Johnson", "line1": "350 Fifth Avenue", "city": "New York", "country": "US"}


class ApiError(AssertionError):
    pass


@dataclass
class Api:
    """Calls of the public API over HTTP, as a script or the simulator makes them."""

    base: str
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, expect: int | tuple = (200, 201), **kwargs) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, self.base + path, headers=headers, timeout=15, **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in expected:
            raise ApiError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content and "json" in response.headers.get("content-type", "") else None


@dataclass
class Buyers:
    """The customers of one shop, acting with the shop's buyer key."""

    api: Api
    shop_id: str
    registered: set[str] = field(default_factory=set)

    def _as(self, customer: str) -> dict[str, str]:
        if customer not in self.registered:
            details = CUSTOMERS[customer]
            self.api.call("PUT", f"/api/v1/buyer/shops/{self.shop_id}/customers/{customer}", json=details)
            self.registered.add(customer)
        return {"X-Customer-Id": customer}

    def path(self, sub: str) -> str:
        return f"/api/v1/buyer/shops/{self.shop_id}{sub}"

    def order(self, customer: str, sku: str | None = None) -> dict:
        headers = self._as(customer)
        sku = sku or self.api.call("GET", self.path("/products"))[0]["skus"][0]["sku"]
        address = US_ADDRESS if CUSTOMERS[customer]["country"] == "US" else ADDRESS
        body = {"address": address, "lines": [{"sku": sku, "quantity": 1}]}
        return self.api.call("POST", self.path("/orders"), json=body, headers=headers)

    def pay(self, customer: str, order_id: str, failure: str | None = None) -> dict:
        body = {"method": "alipay"} if failure is None else {"method": "alipay", "result": "failed",
                                                             "failure_reason": failure}  # fmt: skip
        return self.api.call("POST", self.path(f"/orders/{order_id}/payments"), json=body, headers=self._as(customer))

    def ask(self, customer: str, text: str, order_id: str | None = None, kind: str = "pre_sale") -> dict:
        body: dict[str, Any] = {"body": text, "kind": "order" if order_id and kind == "pre_sale" else kind}
        if order_id:
            body["order_id"] = order_id
        return self.api.call("POST", self.path("/tickets"), json=body, headers=self._as(customer))

    def write(self, customer: str, ticket_id: str, text: str) -> dict:
        path = self.path(f"/tickets/{ticket_id}/messages")
        return self.api.call("POST", path, json={"body": text}, headers=self._as(customer))

    def refund(self, customer: str, order_id: str, reason: str = "quality", amount: str | None = None) -> dict:
        body: dict[str, Any] = {"kind": "refund_only", "reason": reason}
        if amount:
            body["amount"] = amount
        return self.api.call("POST", self.path(f"/orders/{order_id}/refunds"), json=body, headers=self._as(customer))


class Classroom:
    """The demo school (seeded as ``make run`` seeds it) on a running stack: sign-ins, buyer keys, clocks."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.url = SERVICES["gateway"].url
        teacher = self.stack.sign_in()  # seeds the demo class
        self.teacher = Api(self.url, teacher)
        self.shops = {shop["name"]: shop for shop in self.teacher.call("GET", "/api/v1/shops")}
        self._buyers: dict[str, Buyers] = {}

    def shop_of(self, username: str, password: str = "student-demo") -> dict:
        api = self.login(username, password)
        return api.call("GET", "/api/v1/shops")[0]

    def login(self, username: str, password: str) -> Api:
        answer = Api(self.url).call("POST", "/api/v1/auth/login", json={"username": username, "password": password})
        return Api(self.url, {"Authorization": f"Bearer {answer['token']}"})

    def buyers(self, shop_id: str) -> Buyers:
        if shop_id not in self._buyers:
            key = self.teacher.call("POST", f"/api/v1/shops/{shop_id}/buyer-keys", json={"label": "browser tests"})
            self._buyers[shop_id] = Buyers(Api(self.url, {"Authorization": f"Bearer {key['key']}"}), shop_id)
        return self._buyers[shop_id]

    def known_to_services(self, shop_id: str) -> None:
        """Wait until orders and tickets have the shop (its ``shop.opened`` went round the bus)."""
        buyer = self.buyers(shop_id)
        eventually(lambda: self._answers(buyer.api, buyer.path("/products")), timeout=30, message="shop in orders")

    @staticmethod
    def _answers(api: Api, path: str) -> bool:
        try:
            return bool(api.call("GET", path))
        except ApiError:
            return False

    def shop_now(self, shop_id: str) -> datetime:
        return datetime.fromisoformat(self.teacher.call("GET", f"/api/v1/shops/{shop_id}")["clock"]["now"])

    def advance(self, shop_id: str, seconds: float) -> None:
        self.teacher.call("POST", f"/api/v1/shops/{shop_id}/clock", json={"advance_seconds": seconds})

    def advance_to_daytime(self, shop_id: str, at_least: float, zone: str = "Asia/Shanghai") -> None:
        """Move the shop's clock at least ``at_least`` seconds on, to a moment outside the buyers' night (the
        reminder rules keep 22:00-08:00 quiet where the buyer lives)."""
        target = self.shop_now(shop_id) + timedelta(seconds=at_least)
        local = target.astimezone(ZoneInfo(zone))
        if local.hour >= 21 or local.hour < 9:
            next_morning = (local + timedelta(days=1 if local.hour >= 21 else 0)).replace(hour=10, minute=0)
            target = next_morning.astimezone(UTC)
        self.advance(shop_id, (target - self.shop_now(shop_id)).total_seconds() + 1)


def wait_for(check, timeout: float = 15.0, message: str = "") -> Any:
    return eventually(check, timeout=timeout, interval=0.1, message=message)


def now() -> float:
    return time.monotonic()
