"""Order facts kept from events in whatever order they arrive, and the revision-window timer's rule."""

from __future__ import annotations

from services.reviews import order_facts, reviewing
from services.reviews.models import OrderFacts
from services.reviews.timers import close_revision_windows, revision_windows_due
from tests.unit.reviews.conftest import (
    T0,
    ctx,
    day,
    deliver_order,
    delivered,
    event,
    open_shop,
    placed,
    published,
    ref,
    written,
)


def test_delivery_before_placement_and_ruling_before_opening_are_kept(session):
    open_shop(session)
    order_facts.on_order_delivered(session, event("order.delivered", "s1", delivered("o1", day(3))))
    ruled = {**ref("o1"), "dispute_id": "d1", "outcome": "buyer", "refund_amount": "10.00", "currency": "CNY",
             "reason": "not_as_described", "ruled_at": day(9).isoformat()}  # fmt: skip
    order_facts.on_dispute_ruled(session, event("dispute.ruled", "s1", ruled, source="tickets"))
    order_facts.on_order_placed(session, event("order.placed", "s1", placed("o1", skus=("A1", "B2"))))
    opened = {**ref("o1"), "dispute_id": "d1", "reason": "not_as_described", "amount_requested": "10.00",
              "currency": "CNY", "opened_at": day(5).isoformat(), "respond_by": day(8).isoformat()}  # fmt: skip
    order_facts.on_dispute_opened(session, event("dispute.opened", "s1", opened, source="tickets"))
    order_facts.on_order_delivered(session, event("order.delivered", "s1", delivered("o1", day(6))))  # a reship
    session.flush()
    facts = session.get(OrderFacts, ("s1", "o1"))
    assert (facts.delivered_at, facts.disputed_at, facts.dispute_id) == (day(3), day(5), "d1")
    assert [line.sku for line in facts.lines] == ["A1", "B2"] and facts.buyer_name == "韩梅梅"
    assert (facts.placed_at, facts.total_cents) == (T0, 9900)


def test_refunds_add_up(session):
    open_shop(session)
    for refund_id, amount in (("r1", "30.00"), ("r2", "19.99")):
        refund = {**ref("o1"), "refund_id": refund_id, "amount": amount, "currency": "CNY", "reason": "damaged",
                  "kind": "refund_only", "occurred_at": T0.isoformat()}  # fmt: skip
        order_facts.on_refund_completed(session, event("refund.completed", "s1", refund))
    assert session.get(OrderFacts, ("s1", "o1")).refunded_cents == 4999


def test_unrevised_bad_reviews_are_announced_once_when_their_revision_window_passes(session):
    open_shop(session)
    deliver_order(session, "o1", skus=("A1", "B2", "C3"))
    bad = reviewing.post_review(session, ctx(session, day(1)), "o1", "c1", "A1", written(2, "差"))
    good = reviewing.post_review(session, ctx(session, day(1)), "o1", "c1", "B2", written(5, "好"))
    fixed = reviewing.post_review(session, ctx(session, day(1)), "o1", "c1", "C3", written(1, "差"))
    reviewing.revise_review(session, ctx(session, day(2)), fixed.id, "c1", written(4, "客服处理得好"))
    session.flush()
    early = ctx(session, day(31) - (day(1) - day(0)) / 86400)
    assert not session.scalar(revision_windows_due(early).select())
    assert close_revision_windows(session, early) == []
    now = ctx(session, day(31))
    assert session.scalar(revision_windows_due(now).select())
    assert close_revision_windows(session, now) == [bad.id]
    assert bad.revision_closed_at == day(31) and good.revision_closed_at is None
    [payload] = published(session, "review.revision_window_closed")
    assert (payload["review_id"], payload["revise_by"]) == (bad.id, day(31).isoformat())
    session.flush()
    assert close_revision_windows(session, ctx(session, day(40))) == []
