"""Sharing out the stock among a round of orders: in the order given, each order all of its lines or none."""

from __future__ import annotations

from services.orders.stock import Shortage, allocate

SHIRT, FLASK = ("shop1", "SHIRT"), ("shop1", "FLASK")


def line(sku: str, quantity: int) -> dict:
    return {"sku": sku, "quantity": quantity}


def test_orders_are_served_in_the_order_given_until_the_stock_runs_out():
    outcomes, taken = allocate({SHIRT: 2}, [("shop1", [line("SHIRT", 1)])] * 3)
    assert outcomes == [None, None, Shortage(line_index=0, sku="SHIRT", available=0)]
    assert taken == {SHIRT: 2}


def test_an_order_short_on_one_line_takes_nothing_and_the_next_order_finds_the_stock_as_it_was():
    outcomes, taken = allocate(
        {SHIRT: 3, FLASK: 1},
        [
            ("shop1", [line("SHIRT", 2), line("FLASK", 2)]),  # two flasks, one left: nothing for this order
            ("shop1", [line("SHIRT", 3)]),
        ],
    )
    assert outcomes == [Shortage(line_index=1, sku="FLASK", available=1), None]
    assert taken == {SHIRT: 3}


def test_a_sku_the_shop_does_not_have_counts_as_none_left():
    outcomes, taken = allocate({SHIRT: 5}, [("shop1", [line("SHIRT", 1), line("GONE", 1)])])
    assert outcomes == [Shortage(line_index=1, sku="GONE", available=0)]
    assert taken == {}


def test_the_same_sku_in_two_shops_is_two_stocks():
    other = ("shop2", "SHIRT")
    outcomes, taken = allocate({SHIRT: 1, other: 1}, [("shop1", [line("SHIRT", 1)]), ("shop2", [line("SHIRT", 1)])])
    assert outcomes == [None, None]
    assert taken == {SHIRT: 1, other: 1}


def test_lines_of_one_order_on_the_same_sku_add_up():
    outcomes, _ = allocate({SHIRT: 3}, [("shop1", [line("SHIRT", 2), line("SHIRT", 2)])])
    assert outcomes == [Shortage(line_index=1, sku="SHIRT", available=1)]
