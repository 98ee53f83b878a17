"""The new task kinds in the metrics: tasks are not buyer conversations, so reply times, response rates and inquiry
conversion count only what buyers wrote. Worked out by hand (taobao: 180 s response targets, 1-day resolution):

- a buyer asks (c1) at 0, a1 answers at 40: the one first response, 40 s;
- a care greeting to c1 at 100, claimed and sent by a1 at 130 (no buyer message: no round, no first response);
  c1 thanks them at 200, a1 answers at 260 → a round of 60 s, not a first response (the agent spoke first);
- a bad review's follow-up (c2) at 300: a1 writes to the buyer at 400 (no round), never resolves it;
- a blacklisted buyer's order (c3) at 500, left open;
- c1 pays at 1000: one buyer asked before buying (the care item is not an inquiry);
- a day later the question (never resolved), the follow-up and the flagged order have passed their 1-day resolution
  target; the care item has none.
"""

from __future__ import annotations

from datetime import timedelta

from services.tickets import assignment, messages, metrics, sla
from services.tickets.opening import open_ticket
from tests.unit.tickets.conftest import T0, at, ctx, paid, placed, seat, shop_at
from tests.unit.tickets.test_care_tasks import due
from tests.unit.tickets.test_flagged_orders import flagged
from tests.unit.tickets.test_review_tasks import posted


def test_tasks_do_not_distort_reply_times_or_conversion(session, shop, handle):
    seat(session, "s1", "a1")
    asked = open_ticket(session, *shop_at(session, at(0)), kind="pre_sale", customer_id="c1", body="在吗")
    messages.agent_replies(session, *shop_at(session, at(40)), asked, "a1", "在的亲")
    handle("care.task_due", due(expires_in=None), 100)
    care = session.get_one(type(asked), _only(session, "care"))
    assignment.claim(session, ctx(session, at(120)), care, "a1")
    messages.agent_replies(session, *shop_at(session, at(130)), care, "a1", "中秋快乐！")
    messages.buyer_writes(session, *shop_at(session, at(200)), care, "谢谢")
    messages.agent_replies(session, *shop_at(session, at(260)), care, "a1", "不客气亲")
    handle("review.posted", {**posted(), "customer_id": "c2"}, 300)
    follow_up = session.get_one(type(asked), _only(session, "review_follow_up"))
    messages.agent_replies(session, *shop_at(session, at(400)), follow_up, "a1", "亲，非常抱歉，给您换新的")
    handle("customer.flagged_order", {**flagged(), "customer_id": "c3", "order_id": "o3", "order_no": "NO-o3"}, 500)
    handle("order.placed", placed("o1", "c1"), 900)
    handle("order.paid", paid("o1", "c1"), 1000)
    day_later = at(86_400 + 600)
    sla.detect_breaches(session, ctx(session, day_later))

    found = metrics.compute(session, metrics.Scope("s1", T0, T0 + timedelta(days=2)), within=180, now=day_later)
    assert (found["first_response"]["count"], found["first_response"]["mean"]) == (1, 40.0)
    assert found["first_response"]["conversations"] == 1  # only the buyer's own question
    assert found["response"]["rounds"] == 2 and found["response"]["average"]["mean"] == 50.0  # 40 and 60
    assert found["inquiry_conversion"] == {"buyers_asked": 1, "buyers_paid": 1, "rate": 1.0, "paid_cents": 9900}
    assert found["tickets"] == {"opened": 4, "handled": 0}
    # the follow-up and the flagged order are real work with the shop's resolution target; the care item is not.
    # The buyer's own question, answered at 40 but never resolved, passed its 1-day resolution target too (DESIGN.md:
    # a ticket whose resolution target passed): 3
    assert found["sla_breaches"]["by_target"] == {"first_response": 0, "next_response": 0, "resolution": 3}
    assert found["sla_breaches"]["tickets"] == 3
    assert (follow_up.resolution_breached, care.resolution_breached) == (True, False)


def _only(session, kind: str) -> str:
    from sqlalchemy import select

    from services.tickets.models import Ticket

    [ticket_id] = session.scalars(select(Ticket.id).where(Ticket.kind == kind)).all()
    return ticket_id
