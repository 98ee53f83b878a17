"""The timers' rules, each run with a given "now" of the shop's clock."""

from datetime import timedelta

from sqlalchemy import select

from services.orders import ordering, payments, shipments, tracking
from services.orders.models import Order, Sku
from services.orders.reminders import announce_due, send_reminder
from shoplab.shops.profiles import load_profile
from tests.unit.orders import conftest
from tests.unit.orders.conftest import START, add_shop, at, events

TAOBAO = load_profile("taobao")


def place(db, shop, sku="TB1001-BLACK-M", quantity=2, when=START):
    return conftest.place(db, at(shop, when), [{"sku": sku, "quantity": quantity}]).order["id"]


def stock(db, sku="TB1001-BLACK-M"):
    with db.reading() as session:
        return session.scalar(select(Sku.stock).where(Sku.shop_id == "shop1", Sku.sku == sku))


def order(db, order_id):
    with db.reading() as session:
        return session.get(Order, order_id)


def test_unpaid_orders_expire_at_pay_by_and_give_their_stock_back(db):
    shop = add_shop(db)
    order_id = place(db, shop)
    assert stock(db) == 58
    with db.writing() as session:
        assert ordering.cancel_expired(session, at(shop, START + timedelta(hours=23, minutes=59))) == []
    with db.writing() as session:
        assert ordering.cancel_expired(session, at(shop, START + timedelta(hours=24))) == [order_id]
    assert order(db, order_id).state == "cancelled" and order(db, order_id).cancel_reason == "unpaid_timeout"
    assert stock(db) == 60
    cancelled = events(db, "order.cancelled")
    assert [e["payload"]["reason"] for e in cancelled] == ["unpaid_timeout"]
    with db.writing() as session:  # a second run finds nothing more to do
        assert ordering.cancel_expired(session, at(shop, START + timedelta(hours=30))) == []


def test_reminder_due_is_announced_once_per_round(db):
    shop = add_shop(db)
    order_id = place(db, shop)
    minutes = lambda n: at(shop, START + timedelta(minutes=n))  # noqa: E731
    with db.writing() as session:
        assert announce_due(session, minutes(5)) == []  # still at the checkout
    with db.writing() as session:
        assert announce_due(session, minutes(10)) == [order_id]
    with db.writing() as session:
        assert announce_due(session, minutes(11)) == []
    with db.writing() as session:
        send_reminder(session, minutes(12), order_id, channel="chat", text="亲，还在吗？", sent_by="a1", note="")
    with db.writing() as session:  # the next round opens 120 minutes after the reminder
        assert announce_due(session, minutes(100)) == []
        assert announce_due(session, minutes(132)) == [order_id]
    due = events(db, "payment.reminder_due")
    assert len(due) == 2 and due[0]["payload"]["order_id"] == order_id


def test_timelines_unfold_with_the_clock_and_deliver_the_order(db):
    shop = add_shop(db)
    order_id = place(db, shop)
    with db.writing() as session:
        payments.attempt_payment(session, at(shop, START + timedelta(minutes=5)), order_id, method="alipay",
                                 succeeded=True, failure_reason=None, amount_cents=None)  # fmt: skip
    quiet = {**TAOBAO, "orders": {**TAOBAO["orders"], "tracking": {"exception_rate": 0}}}
    with db.writing() as session:
        shipments.ship_order(session, at(shop, START + timedelta(hours=3), quiet), order_id, carrier="ZTO",
                             tracking_no="731284569012", shipped_by="a1")  # fmt: skip
    with db.writing() as session:
        assert tracking.advance_timelines(session, at(shop, START + timedelta(hours=3))) == 0
    with db.writing() as session:
        first = tracking.advance_timelines(session, at(shop, START + timedelta(days=1)))
    assert first >= 1 and order(db, order_id).state == "shipped"
    with db.writing() as session:
        tracking.advance_timelines(session, at(shop, START + timedelta(days=6)))
    delivered = order(db, order_id)
    assert delivered.state == "delivered"
    statuses = [e["payload"]["status"] for e in events(db, "shipment.checkpoint")]
    assert statuses == ["picked_up", "departed_origin", "in_transit", "arrived_destination", "out_for_delivery",
                        "delivered"]  # fmt: skip
    assert len(events(db, "order.delivered")) == 1
    with db.writing() as session:  # nothing happens twice
        assert tracking.advance_timelines(session, at(shop, START + timedelta(days=9))) == 0
    with db.writing() as session:  # taobao's auto_complete_days: 10
        assert ordering.complete_delivered(session, at(shop, delivered.delivered_at + timedelta(days=9))) == []
    with db.writing() as session:
        assert ordering.complete_delivered(session, at(shop, delivered.delivered_at + timedelta(days=10))) == [order_id]
    assert order(db, order_id).state == "completed"
    assert events(db, "order.completed")[0]["payload"]["by"] == "auto"


def test_timers_run_each_shop_at_its_own_now_and_one_broken_shop_stops_none(db):
    from shoplab.shops.replica import ShopCopy
    from tests.timers import tick

    late = add_shop(db, "late")
    fresh = add_shop(db, "fresh")
    expired = place(db, late, when=START - timedelta(hours=25))  # its pay-by passed an hour before the clock's now
    waiting = place(db, fresh, when=START - timedelta(hours=1))
    with db.writing() as session:  # a shop whose platform profile is gone: logged, skipped
        broken = ShopCopy(id="broken", name="x", platform="gone", currency="USD", wall_anchor=START,
                          sim_anchor=START, speed=1.0, paused=True, clock_version=1)  # fmt: skip
        session.add(broken)
    assert tick(db, "orders.expire_unpaid") == 1
    assert order(db, expired).state == "cancelled" and order(db, waiting).state == "unpaid"
    assert tick(db, "orders.expire_unpaid") == 0
