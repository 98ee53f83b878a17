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


def test_two_processes_writers_share_out_the_stock_of_orders_with_several_lines(stack):
    """Each web process has its own order writer; two of them (as two gunicorn workers would) record rounds of
    two-line orders at once. Every order gets both of its lines or neither, and no unit is sold twice."""
    from services.orders.order_writer import OrderWriter
    from services.orders.placing import OrderDraft, OrderRequest
    from shoplab.errors import Conflict

    shop_id = open_shop(stack)
    other = "TB1001-BLACK-M"
    set_stock(stack, shop_id, SKU, 3)
    set_stock(stack, shop_id, other, 2)
    db = stack.runtime("orders").db
    writers = [OrderWriter(db), OrderWriter(db)]
    body = order_body()
    start = threading.Barrier(12)
    outcomes: list[object] = []
    lock = threading.Lock()

    def buy(n: int) -> None:
        request = OrderRequest(
            shop_id,
            {**body["buyer"], "customer_id": f"racer-{n}"},
            body["address"],
            [{"sku": SKU, "quantity": 1}, {"sku": other, "quantity": 1}],
        )
        start.wait()
        try:
            outcome: object = writers[n % 2].place(request)
        except Conflict as refused:
            outcome = refused
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    placed = [outcome for outcome in outcomes if isinstance(outcome, OrderDraft)]
    assert len(outcomes) == 12 and len(placed) == 2  # two of the second SKU: two orders, both lines each
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if outcome not in placed)
    assert stock_and_orders(stack, shop_id) == (1, 2)  # the first SKU: 3 - 2, none taken by a refused order
    with db.reading() as session:
        assert session.scalar(select(Sku.stock).where(Sku.shop_id == shop_id, Sku.sku == other)) == 0
