"""Two buyers racing for the last unit never both get it: concurrent requests on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from services.orders.models import Order, Sku
from tests.integration.orders.shop_setup import open_shop, order_body, set_stock

SKU = "TB1022-BLACK-42"


def race(stack, shop_id: str, buyers: int) -> list[int]:
    app = stack.app("orders")
    start = threading.Barrier(buyers)
    statuses: list[int] = []
    lock = threading.Lock()

    def buy(n: int) -> None:
        client = app.test_client()
        body = order_body(lines=[{"sku": SKU, "quantity": 1}])
        body["buyer"] = {**body["buyer"], "customer_id": f"racer-{n}"}
        start.wait()
        status = client.post(f"/shops/{shop_id}/orders", json=body).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(statuses)


def stock_and_orders(stack, shop_id: str) -> tuple[int, int]:
    with stack.runtime("orders").db.reading() as session:
        stock = session.scalar(select(Sku.stock).where(Sku.shop_id == shop_id, Sku.sku == SKU))
        orders = session.scalar(select(func.count()).select_from(Order).where(Order.shop_id == shop_id))
    return stock, orders


def test_the_last_unit_goes_to_exactly_one_buyer(stack):
    shop_id = open_shop(stack)
    set_stock(stack, shop_id, SKU, 1)
    assert race(stack, shop_id, 8) == [201] + [409] * 7
    assert stock_and_orders(stack, shop_id) == (0, 1)


def test_a_few_units_among_many_buyers(stack):
    shop_id = open_shop(stack)
    set_stock(stack, shop_id, SKU, 3)
    assert race(stack, shop_id, 10) == [201] * 3 + [409] * 7
    assert stock_and_orders(stack, shop_id) == (0, 3)
    # a cancellation puts its unit back on the shelf for the next buyer
    client = stack.client("orders")
    placed = client.get(f"/shops/{shop_id}/orders?state=unpaid").get_json()
    assert client.post(f"/shops/{shop_id}/orders/{placed[0]['id']}/cancel", json={"by": "buyer"}).status_code == 200
    assert stock_and_orders(stack, shop_id) == (1, 3)
    assert race(stack, shop_id, 4) == [201, 409, 409, 409]
