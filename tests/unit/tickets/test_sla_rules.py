"""SLA rules as plain functions of a ticket and a given shop "now": due times, the exact pause, breaches."""

from __future__ import annotations

from datetime import timedelta

from services.tickets import lifecycle, messages, sla
from services.tickets.models import SlaBreach
from services.tickets.opening import open_ticket
from services.tickets.policy import Targets
from tests.unit.tickets.conftest import T0, at, ctx, open_shop, published, seat, shop_at

TARGETS = Targets(first_response_seconds=180, next_response_seconds=300, resolution_seconds=3600,
                  response_rate_within_seconds=180)  # fmt: skip


def _ticket(session):
    return open_ticket(session, *shop_at(session, at(0)), kind="order", customer_id="c1", body="where is my parcel")


def test_due_times_follow_the_profile_on_the_shop_clock(session, shop):
    ticket = _ticket(session)
    assert ticket.first_response_due_at == at(180)  # taobao: 3-minute first response
    assert ticket.resolution_due_at == at(86400)
    assert ticket.next_response_due_at is None


def test_a_fast_shop_clock_brings_a_24h_target_into_a_lesson(session):
    open_shop(session, "fast", platform="amazon", speed=1440)  # one shop day per wall minute
    ticket = open_ticket(session, *shop_at(session, at(60), "fast"), kind="pre_sale", customer_id="c", body="hi")
    assert ticket.opened_at == T0 + timedelta(seconds=60 * 1440)
    assert ticket.first_response_due_at == ticket.opened_at + timedelta(hours=24)
    # one more wall minute passes: the shop is a day later and the 24-hour target has passed
    assert sla.due_breaches(ticket, ticket.opened_at + timedelta(hours=24)) == [
        ("first_response", ticket.first_response_due_at)
    ]


def test_breach_is_found_at_the_due_time_and_not_before(session, shop):
    ticket = _ticket(session)
    assert sla.due_breaches(ticket, at(179.999)) == []
    assert sla.due_breaches(ticket, at(180)) == [("first_response", at(180))]


def test_the_pause_while_pending_is_exact(session, shop):
    ticket = _ticket(session)
    sla.pause(ticket, at(100))
    assert sla.due_breaches(ticket, at(10_000_000)) == []  # nothing runs while paused
    assert sla.resume(ticket, at(100 + 7200.5)) == 7200.5
    assert ticket.first_response_due_at == at(180 + 7200.5)
    assert ticket.resolution_due_at == at(86400 + 7200.5)
    assert ticket.paused_seconds == 7200.5
    sla.pause(ticket, at(8000))
    sla.resume(ticket, at(8010))
    assert ticket.paused_seconds == 7210.5
    assert ticket.resolution_due_at == at(86400 + 7210.5)


def test_pending_through_the_api_pauses_and_the_buyer_resumes(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.agent_replies(session, *shop_at(session, at(60)), ticket, "a1", "请提供订单号", await_buyer=True)
    assert ticket.status == "pending" and ticket.paused_at == at(60)
    messages.buyer_writes(session, *shop_at(session, at(660)), ticket, "NO-123")
    assert ticket.status == "open" and ticket.paused_at is None
    assert ticket.resolution_due_at == at(86400 + 600)
    assert ticket.next_response_due_at == at(660 + 180)  # the next answer is due from the new round


def test_breach_is_recorded_once_with_an_event(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    assert sla.detect_breaches(session, ctx(session, at(200))) == 1
    assert sla.detect_breaches(session, ctx(session, at(300))) == 0
    breaches = session.query(SlaBreach).all()
    assert [(b.target, b.due_at, b.detected_at, b.agent_id) for b in breaches] == [
        ("first_response", at(180), at(200), "a1")
    ]
    events = published(session, "ticket.sla_breached")
    assert len(events) == 1 and events[0]["target"] == "first_response" and events[0]["ticket_id"] == ticket.id


def test_a_late_reply_records_the_breach_the_timer_had_not_seen(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.agent_replies(session, *shop_at(session, at(181)), ticket, "a1", "您好")
    assert ticket.first_response_breached is True
    assert sla.detect_breaches(session, ctx(session, at(400))) == 0


def test_resolved_and_paused_tickets_never_breach(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.agent_replies(session, *shop_at(session, at(10)), ticket, "a1", "好的")
    lifecycle.change_status(session, *shop_at(session, at(20)), ticket, "resolved", agent_id="a1")
    assert sla.detect_breaches(session, ctx(session, at(10**7))) == 0


def test_next_response_target_is_per_round(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.agent_replies(session, *shop_at(session, at(10)), ticket, "a1", "在的")
    messages.buyer_writes(session, *shop_at(session, at(100)), ticket, "那什么时候到")
    assert sla.due_breaches(ticket, at(280)) == [("next_response", at(280))]
    messages.agent_replies(session, *shop_at(session, at(200)), ticket, "a1", "明天")
    assert ticket.next_response_due_at is None
    assert sla.due_breaches(ticket, at(1000)) == []
