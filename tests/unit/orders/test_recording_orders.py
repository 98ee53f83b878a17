"""Several orders recorded in one transaction (how the web process's order writer works): each on its own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from services.orders import placing
from services.orders.models import Order, Sku
from services.orders.order_writer import OrderWriter
from services.orders.placing import OrderDraft, OrderRequest
from shoplab.errors import Conflict
from tests.unit.orders import conftest
from tests.unit.orders.conftest import ADDRESS, BUYER, START, add_shop, at, events

SHIRT, FLASK = "TB1001-BLACK-M", "TB1006-SKYBLUE"


def set_stock(db, sku: str, units: int) -> None:
    with db.writing() as session:
        session.execute(update(Sku).where(Sku.shop_id == "shop1", Sku.sku == sku).values(stock=units))


def stock(db, sku: str) -> int:
    with db.reading() as session:
        return session.scalar(select(Sku.stock).where(Sku.shop_id == "shop1", Sku.sku == sku))


def draft(db, shop, lines):
    return conftest.draft(db, at(shop, START), lines)


def test_an_order_short_of_stock_is_refused_alone_and_leaves_the_stock_as_it_was(db):
    shop = add_shop(db)
    set_stock(db, SHIRT, 3)
    set_stock(db, FLASK, 1)
    first = draft(db, shop, [{"sku": SHIRT, "quantity": 1}])
    # a shirt (one is left after the first order) and two flasks (there is one): all or nothing
    short = draft(db, shop, [{"sku": SHIRT, "quantity": 1}, {"sku": FLASK, "quantity": 2}])
    last = draft(db, shop, [{"sku": SHIRT, "quantity": 2}])
    with db.writing() as session:
        outcomes = placing.record_orders(session, [first, short, last])
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Conflict)
    assert outcomes[1].fields == {"lines": {"1": {"quantity": ["only 1 left in stock"]}}}
    assert stock(db, SHIRT) == 0 and stock(db, FLASK) == 1  # the short order's shirt went back before the last order
    with db.reading() as session:
        placed = set(session.scalars(select(Order.id)))
        assert session.scalar(select(func.count()).select_from(Order)) == 2
    assert placed == {first.order["id"], last.order["id"]}
    assert [e["payload"]["order_id"] for e in events(db, "order.placed")] == [first.order["id"], last.order["id"]]


def test_the_writer_raises_the_conflict_of_a_lone_order(db):
    add_shop(db)
    set_stock(db, FLASK, 0)
    with pytest.raises(Conflict) as refused_with:
        OrderWriter(db).place(OrderRequest("shop1", BUYER, ADDRESS, [{"sku": FLASK, "quantity": 1}]))
    assert refused_with.value.details == {"available": 0, "sku": FLASK}
    assert events(db, "order.placed") == []


def test_an_order_that_breaks_its_round_is_refused_alone(db):
    """The web process's writer records a round of orders in one transaction; when that transaction fails (here two
    orders clash on their order number), each is tried again alone and only the one at fault gets the error."""
    from sqlalchemy.exc import IntegrityError

    shop = add_shop(db)
    first, clashing, last = (draft(db, shop, [{"sku": SHIRT, "quantity": 1}]) for _ in range(3))
    clashing.order["order_no"] = first.order["order_no"]
    outcomes = OrderWriter(db)._write([first, clashing, last])
    assert outcomes[0] is None and outcomes[2] is None and isinstance(outcomes[1], IntegrityError)
    with db.reading() as session:
        assert set(session.scalars(select(Order.id))) == {first.order["id"], last.order["id"]}
    assert stock(db, SHIRT) == 58  # the refused order's reservation was rolled back with it
    assert [e["payload"]["order_id"] for e in events(db, "order.placed")] == [first.order["id"], last.order["id"]]


def test_a_round_of_requests_gets_each_its_own_outcome(db):
    """The writer prices a round of requests from one read of their shops and catalogs: an unknown shop, an unknown
    SKU and a line out of stock refuse their own order only, and the orders placed are each on their shop's clock."""
    from shoplab.errors import InvalidInput, NotFound

    add_shop(db)
    add_shop(db, "shop2", platform="amazon")
    set_stock(db, FLASK, 1)
    us_buyer = {**BUYER, "country": "US", "timezone": "America/New_York", "language": "en"}
    us_address = {"recipient": "Emma Johnson", "line1": "350 Fifth Avenue", "city": "New York", "country": "US"}
    with db.reading() as session:
        amazon_sku = session.scalar(select(Sku.sku).where(Sku.shop_id == "shop2").order_by(Sku.sku))
    requests = [
        OrderRequest("shop1", BUYER, ADDRESS, [{"sku": FLASK, "quantity": 1}]),
        OrderRequest("nowhere", BUYER, ADDRESS, [{"sku": FLASK, "quantity": 1}]),
        OrderRequest("shop1", BUYER, ADDRESS, [{"sku": "NO-SUCH-SKU", "quantity": 1}]),
        OrderRequest("shop1", BUYER, ADDRESS, [{"sku": SHIRT, "quantity": 1}, {"sku": FLASK, "quantity": 1}]),
        OrderRequest("shop2", us_buyer, us_address, [{"sku": amazon_sku, "quantity": 1}]),
    ]
    placed, nowhere, unknown_sku, short, amazon = OrderWriter(db)._place(requests)
    assert isinstance(placed, OrderDraft) and isinstance(amazon, OrderDraft)
    assert isinstance(nowhere, NotFound) and nowhere.fields == {"shop_id": ["unknown shop"]}
    assert isinstance(unknown_sku, InvalidInput)
    assert unknown_sku.fields == {"lines": {"0": {"sku": ["unknown SKU in this shop"]}}}
    assert isinstance(short, Conflict) and short.fields == {"lines": {"1": {"quantity": ["only 0 left in stock"]}}}
    assert placed.order["placed_at"] == START and placed.order["currency"] == "CNY"
    assert amazon.order["currency"] == "USD" and amazon.order["shop_id"] == "shop2"
    assert stock(db, FLASK) == 0
    with db.reading() as session:
        assert set(session.scalars(select(Order.id))) == {placed.order["id"], amazon.order["id"]}
    assert len(events(db, "order.placed")) == 2


def test_a_shop_whose_profile_fails_refuses_only_its_own_orders(db):
    from shoplab.shops.replica import ShopCopy

    add_shop(db)
    with db.writing() as session:  # a shop copy whose platform has no profile (a broken data file, say)
        session.add(ShopCopy(id="broken", name="x", platform="gone", currency="USD", wall_anchor=START,
                             sim_anchor=START, speed=1.0, paused=True, clock_version=1))  # fmt: skip
    placed, broken = OrderWriter(db)._place(
        [
            OrderRequest("shop1", BUYER, ADDRESS, [{"sku": SHIRT, "quantity": 1}]),
            OrderRequest("broken", BUYER, ADDRESS, [{"sku": SHIRT, "quantity": 1}]),
        ]
    )
    assert isinstance(placed, OrderDraft) and isinstance(broken, Exception)
    assert [e["payload"]["order_id"] for e in events(db, "order.placed")] == [placed.order["id"]]


def test_catalog_rows_are_kept_by_the_writer_and_read_again_when_old(db):
    from services.orders.placing import CatalogRows

    add_shop(db)
    kept, fresh = CatalogRows(), CatalogRows(max_age=0)
    key = ("shop1", SHIRT)
    with db.reading() as session:
        assert kept.read(session, {key, ("shop1", "NO-SUCH-SKU")}).keys() == {key}
        assert fresh.read(session, {key})[key].price_cents == 5900
    with db.writing() as session:  # a change no code makes today: the kept row is used until it is old
        session.execute(update(Sku).where(Sku.shop_id == "shop1", Sku.sku == SHIRT).values(price_cents=6100))
    with db.reading() as session:
        assert kept.read(session, {key})[key].price_cents == 5900
        assert fresh.read(session, {key})[key].price_cents == 6100
