"""Disputes: the windows on the shop clock, proposals, the buyer's answer and the platform's explicit rules.
Amounts are minor units inside (8000 = 80.00) and two-place strings in the events."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.tickets import disputes, escalation, order_tasks
from services.tickets.arbitration import CaseFacts, Ruling, arbitrate, escalation_due, half_of
from services.tickets.models import Dispute
from services.tickets.policy import policy_for
from shoplab.errors import Conflict, InvalidInput
from tests.unit.tickets.conftest import T0, at, ctx, event, paid, placed, published, seat, shop_at

CASE = CaseFacts(
    reason="not_as_described",
    amount_requested_cents=8000,
    seller_responded_in_time=True,
    proposal_kind="reject",
    proposal_amount_cents=0,
    buyer_evidence=("photo.jpg",),
    seller_evidence=("qc-report.pdf",),
    delivered=True,
    tracking_no="SF1",
)


def test_arbitration_rules_in_order():
    assert arbitrate(replace(CASE, seller_responded_in_time=False)) == Ruling("buyer", 8000, True, "no_seller_response")
    assert arbitrate(replace(CASE, reason="not_received")) == Ruling("seller", 0, False, "delivered_with_tracking")
    assert arbitrate(replace(CASE, reason="not_received", tracking_no=None)).reason == "not_delivered"
    assert arbitrate(replace(CASE, reason="not_received", delivered=False)).outcome == "buyer"
    upheld = arbitrate(replace(CASE, proposal_kind="return_and_refund", proposal_amount_cents=8000))
    assert upheld == Ruling("buyer", 8000, True, "seller_offer_upheld")
    assert arbitrate(replace(CASE, buyer_evidence=())) == Ruling("seller", 0, False, "no_buyer_evidence")
    assert arbitrate(replace(CASE, seller_evidence=())) == Ruling("buyer", 8000, True, "seller_gave_no_evidence")
    partial = replace(CASE, proposal_kind="partial_refund", proposal_amount_cents=2500)
    assert arbitrate(partial) == Ruling("split", 2500, False, "partial_offer_upheld")
    assert arbitrate(CASE) == Ruling("split", 4000, False, "both_gave_evidence")


def test_half_of_an_odd_amount_rounds_the_half_cent_to_even():
    assert [half_of(cents) for cents in (8000, 8001, 8003, 1, 3)] == [4000, 4000, 4002, 0, 2]
    assert arbitrate(replace(CASE, amount_requested_cents=8003)).refund_cents == 4002


def test_escalation_due_by_response_window_then_escalation_window():
    dispute = Dispute(status="awaiting_seller", respond_by_at=at(72 * 3600), escalate_at=at(5 * 86400),
                      seller_responded_at=None)  # fmt: skip
    assert escalation_due(dispute, at(72 * 3600 - 1)) is None
    assert escalation_due(dispute, at(72 * 3600)) == "no_seller_response"
    dispute.seller_responded_at = at(3600)
    dispute.status = "negotiating"
    assert escalation_due(dispute, at(5 * 86400 - 1)) is None
    assert escalation_due(dispute, at(5 * 86400)) == "window_elapsed"
    dispute.status = "settled"
    assert escalation_due(dispute, at(10**8)) is None


@pytest.fixture
def order(session, shop):
    seat(session, "s1", "a1", skills=["after_sale"])
    order_tasks.on_order_placed(session, event("order.placed", "s1", placed("o1", "c1", "80.00"), at(0)))
    order_tasks.on_order_paid(session, event("order.paid", "s1", paid("o1", "c1", "80.00"), at(1)))
    return "o1"


def _open(session, cents=8000, evidence=("photo.jpg",)):
    return disputes.open_dispute(session, *shop_at(session, at(10)), order_id="o1", reason="not_as_described",
                                 amount_requested=cents, evidence=list(evidence))  # fmt: skip


def test_opening_sets_windows_on_the_shop_clock_and_publishes(session, order):
    dispute = _open(session)
    assert dispute.respond_by_at == at(10) + timedelta(hours=72)  # taobao: 72 h to respond
    assert dispute.escalate_at == at(10) + timedelta(days=5)
    [opened] = published(session, "dispute.opened")
    assert opened["amount_requested"] == "80.00" and opened["respond_by"] == dispute.respond_by_at.isoformat()
    with pytest.raises(Conflict):
        _open(session, 1000)


def test_amount_above_the_order_total_is_refused(session, order):
    with pytest.raises(InvalidInput) as above:
        _open(session, 8001)
    assert above.value.fields == {"amount_requested": ["at most the order total 80.00 CNY"]}
    assert session.query(Dispute).count() == 0


def test_buyer_accepts_a_partial_refund(session, order):
    dispute = _open(session)
    with pytest.raises(InvalidInput):
        disputes.propose(session, ctx(session, at(20)), dispute, agent_id="a1", kind="partial_refund", amount=8000)
    with pytest.raises(InvalidInput):
        disputes.propose(session, ctx(session, at(20)), dispute, agent_id="a1", kind="reject")  # no evidence
    disputes.propose(session, ctx(session, at(20)), dispute, agent_id="a1", kind="partial_refund", amount=3000)
    disputes.decide(session, *shop_at(session, at(30)), dispute, accept=True)
    assert dispute.status == "settled"
    [ruled] = published(session, "dispute.ruled")
    assert (ruled["outcome"], ruled["refund_amount"], ruled["arbitrated"]) == ("split", "30.00", False)


def _escalate_due(session, wall):
    shop = ctx(session, wall)
    return escalation.escalate_due(session, shop, policy_for(session, shop))


def test_unanswered_dispute_escalates_and_the_platform_rules_for_the_buyer(session, order):
    dispute = _open(session)
    assert _escalate_due(session, at(10 + 72 * 3600 - 1)) == 0
    assert _escalate_due(session, at(10 + 72 * 3600)) == 1
    assert (dispute.status, dispute.outcome, dispute.ruling_reason) == ("ruled", "buyer", "no_seller_response")
    assert published(session, "dispute.escalated")[0]["reason"] == "no_seller_response"
    [ruled] = published(session, "dispute.ruled")
    assert (ruled["refund_amount"], ruled["with_return"], ruled["arbitrated"]) == ("80.00", True, True)
    assert _escalate_due(session, at(10**7)) == 0


def test_rejected_proposal_escalates_when_the_window_ends(session, order):
    dispute = _open(session)
    disputes.propose(session, ctx(session, at(100)), dispute, agent_id="a1", kind="reject", evidence=["qc.pdf"])
    disputes.decide(session, *shop_at(session, at(200)), dispute, accept=False, comment="not fair")
    assert dispute.status == "negotiating"
    assert _escalate_due(session, T0 + timedelta(days=5, seconds=10)) == 1
    assert (dispute.outcome, dispute.refund_amount_cents, dispute.ruling_reason) == ("split", 4000,
                                                                                      "both_gave_evidence")  # fmt: skip
