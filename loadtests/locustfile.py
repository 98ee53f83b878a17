"""Promotion-day load on the gateway's buyer API, by the simulator's buyers (``make loadtest``; docs/performance.md).

Each locust user is one buyer of the simulator's population (``simulator.population``: name, country, time zone,
language, address, propensities) shopping in one of the shops listed in ``LOADTEST_SHOPS`` (a JSON file of
``{shop_id, platform, key}``, written by ``loadtests.loadtest`` after it seeded the stack). Like a real shopper, and
like the microservices-demo load generator, it mostly browses; it asks a pre-sale question as its persona's ``ask``
propensity says (the question from the simulator's text bank, in the buyer's language), orders, pays — or forgets,
or fails for one of the simulator's reasons, by its ``forget`` and ``fail`` propensities — and tracks its orders.

Requests are named by route (``/buyer/shops/[shop]/orders/[order]/payments``), so locust's statistics are per route.
``PromotionDay`` is the load shape (``loadtests/promotion_day.py``): a tenfold step at midnight, decay, then a daytime
wave, compressed into minutes.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

from locust import HttpUser, LoadTestShape, between, task

from loadtests.promotion_day import PromotionDayCurve
from shoplab.shops.profiles import load_profile
from simulator import text_bank
from simulator.population import PopulationSpec, build_persona

SEED = os.environ.get("LOADTEST_SEED", "promotion-day")
BASE = "/api/v1/buyer/shops/{shop}"
FAILURES = ("declined", "insufficient_funds", "3ds_timeout", "card_expired", "risk_review", "network_error")
_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


def _shops() -> list[dict[str, str]]:
    path = os.environ.get("LOADTEST_SHOPS")
    if not path:
        raise RuntimeError("LOADTEST_SHOPS names the shops' JSON file (make loadtest writes it)")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class Buyer(HttpUser):
    """One buyer of the simulator's population, in one shop."""

    wait_time = between(1, 4)  # a person reads a page before the next click

    def on_start(self) -> None:
        shops = _shops()
        with _numbers_lock:
            number = next(_numbers)
        self.shop = shops[number % len(shops)]
        profile = load_profile(self.shop["platform"])
        self.persona = build_persona(SEED, profile, PopulationSpec(count=1), f"lt{number:05d}")
        self.methods = profile["orders"]["payment_methods"]
        self.base = BASE.format(shop=self.shop["shop_id"])
        self.key = {"Authorization": f"Bearer {self.shop['key']}"}
        self.me = {**self.key, "X-Customer-Id": self.persona.key}
        self.products: list[dict[str, Any]] = []
        self.unpaid: list[str] = []
        self.orders: list[str] = []
        card = self.persona.card()
        customer = {field: card[field] for field in ("name", "country", "timezone", "language")}
        self.client.put(f"{self.base}/customers/{self.persona.key}", json=customer, headers=self.key,
                        name="/buyer/shops/[shop]/customers/[customer]")  # fmt: skip

    def _name(self, path: str) -> str:
        return "/buyer/shops/[shop]" + path

    def _catalog(self) -> list[dict[str, Any]]:
        if not self.products:
            answer = self.client.get(f"{self.base}/products", headers=self.key, name=self._name("/products"))
            if answer.ok:
                self.products = [product for product in answer.json() if product.get("skus")]
        return self.products

    @task(10)
    def browse(self) -> None:
        products = self._catalog()
        if products:
            product = random.choice(products)
            self.client.get(f"{self.base}/products/{product['product_id']}", headers=self.key,
                            name=self._name("/products/[product]"))  # fmt: skip

    @task(3)
    def ask(self) -> None:
        if random.random() >= self.persona.propensity("ask") or not self._catalog():
            return
        product = random.choice(self.products)
        name = text_bank.product_name(product, self.persona.language)
        question = text_bank.question(self.persona.language, product.get("category", ""), {"product": name},
                                      SEED, self.persona.key, random.random())  # fmt: skip
        body = {"body": question.text, "kind": "pre_sale", "language": self.persona.language}
        self.client.post(f"{self.base}/tickets", json=body, headers=self.me, name=self._name("/tickets"))

    @task(3)
    def order(self) -> None:
        if not self._catalog():
            return
        product = random.choice(self.products)
        sku = random.choice(product["skus"])["sku"]
        body = {"address": dict(self.persona.address), "lines": [{"sku": sku, "quantity": 1}]}
        with self.client.post(f"{self.base}/orders", json=body, headers=self.me, name=self._name("/orders"),
                              catch_response=True) as answer:  # fmt: skip
            if answer.status_code == 409 and "stock" in answer.text:
                answer.success()  # sold out on promotion day: the shop's right answer; this buyer looks elsewhere
                product["skus"] = [each for each in product["skus"] if each["sku"] != sku]
                self.products = [each for each in self.products if each["skus"]]
            elif answer.ok:
                self.unpaid.append(answer.json()["id"])
                self.orders.append(answer.json()["id"])

    @task(3)
    def pay(self) -> None:
        if not self.unpaid:
            return
        order_id = self.unpaid.pop(0)
        if random.random() < self.persona.propensity("forget"):
            return  # forgotten: the shop's 催付 is for this one
        body: dict[str, Any] = {"method": random.choice(self.methods)}
        if random.random() < self.persona.propensity("fail"):
            body |= {"result": "failed", "failure_reason": random.choice(FAILURES)}
        self.client.post(f"{self.base}/orders/{order_id}/payments", json=body, headers=self.me,
                         name=self._name("/orders/[order]/payments"))  # fmt: skip

    @task(2)
    def track(self) -> None:
        if not self.orders:
            self.client.get(f"{self.base}/orders", headers=self.me, name=self._name("/orders"))
            return
        order_id = random.choice(self.orders)
        self.client.get(f"{self.base}/orders/{order_id}/tracking", headers=self.me,
                        name=self._name("/orders/[order]/tracking"))  # fmt: skip


class PromotionDay(LoadTestShape):
    """Double 11 in minutes (``loadtests.promotion_day``); ``None`` at the end stops the run.
    ``LOADTEST_BASE_USERS`` (default 4) and ``LOADTEST_MINUTES`` (default 4) scale it."""

    def __init__(self) -> None:
        super().__init__()
        self.curve = PromotionDayCurve(
            base=int(os.environ.get("LOADTEST_BASE_USERS", "4")),
            length=float(os.environ.get("LOADTEST_MINUTES", "4")) * 60,
        )

    def tick(self) -> tuple[int, float] | None:
        users = self.curve.users_at(self.get_run_time())
        return None if users is None else (users, self.curve.spawn_rate)
