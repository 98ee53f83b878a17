"""The dispute refund rate counts refunds the platform ruled, not settlements the buyer accepted (DESIGN.md)."""

from __future__ import annotations

from datetime import timedelta

from services.orders import payments
from services.orders.metrics import shop_metrics
from services.orders.refunds import execute_ruling
from shoplab.contracts import CATALOGUE
from tests.unit.orders.conftest import START, add_shop, at, place


def paid_order(db, shop) -> dict:
    draft = place(db, at(shop, START), [{"sku": "TB1001-BLACK-M", "quantity": 1}])
    with db.writing() as session:
        ctx = at(shop, START + timedelta(minutes=5))
        payments.attempt_payment(
            session, ctx, draft.order["id"], method=ctx.profile["orders"]["payment_methods"][0],
            succeeded=True, failure_reason=None, amount_cents=None,
        )  # fmt: skip
    return draft.order


def ruling(order: dict, dispute_id: str, *, arbitrated: bool) -> dict:
    """A ``dispute.ruled`` payload as the orders worker receives it: loaded through its contract."""
    wire = {
        "dispute_id": dispute_id, "order_id": order["id"], "order_no": order["order_no"], "customer_id": "c1",
        "outcome": "buyer", "refund_amount": "10.00", "currency": "CNY", "with_return": False,
        "reason": "no_seller_response" if arbitrated else "buyer_accepted_proposal",
        "ruled_at": START.isoformat(), "arbitrated": arbitrated,
    }  # fmt: skip
    return CATALOGUE["dispute.ruled"].schema().load(wire)


def test_only_arbitrated_rulings_count_as_dispute_refunds(db):
    shop = add_shop(db)
    ruled, settled, untouched = paid_order(db, shop), paid_order(db, shop), paid_order(db, shop)
    with db.writing() as session:
        execute_ruling(session, at(shop, START + timedelta(days=1)), ruling(ruled, "d-ruled", arbitrated=True))
        execute_ruling(session, at(shop, START + timedelta(days=1)), ruling(settled, "d-settled", arbitrated=False))
    with db.reading() as session:
        figures = shop_metrics(session, "shop1", START, START + timedelta(days=2))
    assert untouched["id"] not in (ruled["id"], settled["id"])
    assert figures["dispute_refunded_orders"] == 1
    assert figures["dispute_refund_rate"] == round(1 / 3, 4)
    assert figures["refund_rate"] == round(2 / 3, 4)  # both were refunds
