"""A small school built through the public API, for the gateway's tests.

- the demo class: ``teacher`` teaches it; ``student1`` sits in shop A (taobao), ``student2`` in shop B (aliexpress);
- another class: ``teacher2`` (created by the admin) teaches it; student ``s-c1`` sits in its shop C (amazon);
- buyer keys for shops A and B; in shop A customers ``c-a1`` (an order, paid and delivered, with a 2-star review;
  a conversation about it; a dispute) and ``c-a2`` (an order, a conversation); in shop B customer ``c-b1`` (an
  order, delivered, with a 1-star review; a conversation). Each review opened its follow-up task in the queue;
  every customer has a CRM profile (crm hears the orders).

The deliveries come from the orders service's outbox (shipping a parcel to its delivery is the orders service's own
business, tested there), and the reviews are written through the reviews service's own API: the buyer API's review
routes are another part of the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shoplab.eventbus.outbox import publish
from tests.integration.gateway.conftest import pump

CUSTOMERS = {
    "c-a1": {"name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "c-a2": {"name": "李华", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"},
    "c-b1": {"name": "Emma Johnson", "country": "US", "timezone": "America/New_York", "language": "en"},
}
ADDRESSES = {
    "CN": {"recipient": "王小明", "phone": "13800138000", "line1": "文三路 90 号", "city": "杭州", "country": "CN"},
    "US": {"recipient": "Emma Johnson", "line1": "350 Fifth Avenue", "city": "New York", "country": "US"},
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    stack: Any
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # caller -> headers
    users: dict[str, str] = field(default_factory=dict)  # username -> user id
    shops: dict[str, str] = field(default_factory=dict)  # A, B, C -> shop id
    keys: dict[str, str] = field(default_factory=dict)  # A, B -> buyer key
    ids: dict[str, str] = field(default_factory=dict)  # order_a1, ticket_a1, dispute_a1, product_a ...
    class2: str = ""

    @property
    def gateway(self):
        return self.stack.client("gateway")

    def login(self, username: str, password: str) -> dict[str, str]:
        response = self.gateway.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        self.users[username] = response.get_json()["user"]["id"]
        return bearer(response.get_json()["token"])

    def buyer(self, shop: str, customer: str | None = None) -> dict[str, str]:
        headers = bearer(self.keys[shop])
        if customer:
            headers["X-Customer-Id"] = customer
        return headers

    def call(self, method: str, path: str, headers: dict, expect: int | tuple = (200, 201), **kw) -> Any:
        response = self.gateway.open(path, method=method, headers=headers, **kw)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, (method, path, response.status_code, response.get_json())
        return response.get_json()


def build_world(stack) -> World:
    world = World(stack)
    world.headers["teacher"] = stack.sign_in()  # seeds the demo class
    world.users["teacher"] = world.call("GET", "/api/v1/auth/me", world.headers["teacher"])["id"]
    world.headers["student1"] = world.login("student1", "student-demo")
    world.headers["student2"] = world.login("student2", "student-demo")
    world.shops["A"] = world.call("GET", "/api/v1/shops", world.headers["student1"])[0]["id"]
    world.shops["B"] = world.call("GET", "/api/v1/shops", world.headers["student2"])[0]["id"]
    _second_class(world)
    pump(stack)  # shop.opened and agent.joined reach orders and tickets
    for shop in ("A", "B"):
        key = world.call("POST", f"/api/v1/shops/{world.shops[shop]}/buyer-keys", world.headers["teacher"],
                         json={"label": f"test buyer {shop}"})  # fmt: skip
        world.keys[shop] = key["key"]
    _buyers(world)
    return world


def _second_class(world: World) -> None:
    admin = world.login("admin", "admin-demo")
    teacher2 = {"username": "teacher2", "role": "instructor", "password": "teacher2-pass", "display_name": "赵老师"}
    world.call("POST", "/api/v1/users", admin, json=teacher2)
    world.headers["teacher2"] = world.login("teacher2", "teacher2-pass")
    world.class2 = world.call("POST", "/api/v1/classes", world.headers["teacher2"], json={"name": "二班"})["id"]
    student = world.call("POST", f"/api/v1/classes/{world.class2}/students", world.headers["teacher2"],
                         json={"student_no": "s-c1", "name": "陈晨"})  # fmt: skip
    first = world.login("s-c1", student["initial_password"])
    change = {"current_password": student["initial_password"], "new_password": "s-c1-own-pass"}
    changed = world.call("POST", "/api/v1/auth/password", first, json=change)
    world.headers["student_c"] = bearer(changed["token"])
    shops = world.call("POST", f"/api/v1/classes/{world.class2}/shops", world.headers["teacher2"],
                       json={"platform": "amazon"})  # fmt: skip
    world.shops["C"] = shops[0]["id"]


def _buyers(world: World) -> None:
    stack = world.stack
    for customer, shop in (("c-a1", "A"), ("c-a2", "A"), ("c-b1", "B")):
        base = f"/api/v1/buyer/shops/{world.shops[shop]}"
        world.call("PUT", f"{base}/customers/{customer}", world.buyer(shop), json=CUSTOMERS[customer])
        product = world.call("GET", f"{base}/products", world.buyer(shop))[0]
        world.ids[f"product_{shop.lower()}"] = product["product_id"]
        order = world.call("POST", f"{base}/orders", world.buyer(shop, customer), json={
            "address": ADDRESSES[CUSTOMERS[customer]["country"]],
            "lines": [{"sku": product["skus"][0]["sku"], "quantity": 1}],
        })  # fmt: skip
        world.ids[f"order_{customer}"] = order["id"]
        pump(stack)
        ticket = world.call("POST", f"{base}/tickets", world.buyer(shop, customer),
                            json={"body": "请问什么时候发货？", "kind": "order", "order_id": order["id"]})  # fmt: skip
        world.ids[f"ticket_{customer}"] = ticket["id"]
    base = f"/api/v1/buyer/shops/{world.shops['A']}"
    order_id = world.ids["order_c-a1"]
    world.call("POST", f"{base}/orders/{order_id}/payments", world.buyer("A", "c-a1"), json={"method": "alipay"})
    pump(stack)
    dispute = world.call("POST", f"{base}/disputes", world.buyer("A", "c-a1"), json={
        "order_id": order_id, "reason": "not_received", "amount_requested": "1.00", "evidence": ["photo"],
    })  # fmt: skip
    world.ids["dispute_c-a1"] = dispute["id"]
    pump(stack)
    _reviews(world)


REVIEWS = {"c-a1": ("A", 2, "尺码偏小，客服态度也一般"), "c-b1": ("B", 1, "Arrived broken, very disappointed")}


def _reviews(world: World) -> None:
    stack = world.stack
    for customer, (shop, stars, text) in REVIEWS.items():
        shop_id, order_id = world.shops[shop], world.ids[f"order_{customer}"]
        order = stack.client("orders").get(f"/shops/{shop_id}/orders/{order_id}").get_json()
        delivered = {"order_id": order_id, "order_no": order["order_no"], "customer_id": customer,
                     "shipment_id": "sh-world", "delivered_at": order["placed_at"]}  # fmt: skip
        with stack.runtime("orders").db.writing() as session:
            publish(session, "order.delivered", shop_id=shop_id, payload=delivered)
        pump(stack)
        body = {"customer_id": customer, "sku": order["lines"][0]["sku"], "stars": stars, "text": text,
                "scores": {"as_described": stars, "service": stars, "logistics": 3}}  # fmt: skip
        review = stack.client("reviews").post(f"/shops/{shop_id}/orders/{order_id}/reviews", json=body)
        assert review.status_code == 201, review.get_json()
        world.ids[f"review_{customer}"] = review.get_json()["id"]
    pump(stack)
    for customer, (shop, _, _) in REVIEWS.items():  # each bad review opened its follow-up task in the queue
        tasks = stack.client("tickets").get(f"/shops/{world.shops[shop]}/tickets?kind=review_follow_up").get_json()
        (task,) = [t for t in tasks["items"] if t["customer_id"] == customer]
        world.ids[f"follow_up_{customer}"] = task["id"]
