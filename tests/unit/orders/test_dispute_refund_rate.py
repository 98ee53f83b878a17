"""The dispute refund rate counts refunds the platform ruled, not settlements the buyer accepted (DESIGN.md)."""

from __future__ import annotations

from datetime import timedelta

from services.orders import ordering, payments
from services.orders.metrics import shop_metrics
from services.orders.refunds import execute_ruling
from shoplab.shops.profiles import load_profile
from tests.unit.orders.conftest import START, add_shop

TAOBAO = load_profile("taobao")
BUYER = {"customer_id": "c1", "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai", "language": "zh"}
ADDRESS = {"recipient": "王小明", "line1": "文三路 90 号", "city": "杭州", "country": "CN"}


def paid_order(db, shop) -> dict:
    with db.writing() as session:
        draft = ordering.place_order(
            session, shop, TAOBAO, buyer=BUYER, address=ADDRESS, lines=[{"sku": "TB1001-BLACK-M", "quantity": 1}],
            shipping_carrier=None, now=START,
        )  # fmt: skip
        payments.attempt_payment(
            session, "shop1", draft.order["id"], TAOBAO, method=TAOBAO["orders"]["payment_methods"][0],
            succeeded=True, failure_reason=None, amount_cents=None, now=START + timedelta(minutes=5),
        )  # fmt: skip
    return draft.order


def ruling(order: dict, dispute_id: str, *, arbitrated: bool) -> dict:
    return {
        "dispute_id": dispute_id, "order_id": order["id"], "order_no": order["order_no"], "customer_id": "c1",
        "outcome": "buyer", "refund_amount": 1000, "currency": "CNY", "with_return": False,
        "reason": "no_seller_response" if arbitrated else "buyer_accepted_proposal", "ruled_at": START,
        "arbitrated": arbitrated,
    }  # fmt: skip


def test_only_arbitrated_rulings_count_as_dispute_refunds(db):
    shop = add_shop(db)
    ruled, settled, untouched = paid_order(db, shop), paid_order(db, shop), paid_order(db, shop)
    with db.writing() as session:
        execute_ruling(session, "shop1", ruling(ruled, "d-ruled", arbitrated=True), START + timedelta(days=1))
        execute_ruling(session, "shop1", ruling(settled, "d-settled", arbitrated=False), START + timedelta(days=1))
    with db.reading() as session:
        figures = shop_metrics(session, "shop1", START, START + timedelta(days=2))
    assert untouched["id"] not in (ruled["id"], settled["id"])
    assert figures["dispute_refunded_orders"] == 1
    assert figures["dispute_refund_rate"] == round(1 / 3, 4)
    assert figures["refund_rate"] == round(2 / 3, 4)  # both were refunds
