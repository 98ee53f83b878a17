"""Care items from crm's ``care.task_due``: one per task, the rendered text offered as a suggested reply (never
sent by itself), waiting to be claimed rather than routed, and closing themselves at their expiry unanswered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.tickets import assignment, messages
from services.tickets.models import Ticket
from services.tickets.opening import open_ticket
from services.tickets.timers import TIMERS
from services.tickets.views import messages_of
from shoplab.content_rules import check_text
from shoplab.shops.profiles import load_profile
from tests.unit.tickets.conftest import T0, at, ctx, published, seat, shop_at

GREETING = "亲爱的李雷，中秋节快乐！感谢您一直以来对店铺 s1的支持，祝您和家人节日愉快、万事如意～"


def due(task_id: str = "ct1", kind: str = "holiday_greeting", expires_in: float | None = 3600, **extra):
    return {"task_id": task_id, "customer_id": "c1", "customer_name": "李雷", "kind": kind, "language": "zh",
            "channel": "platform_message", "subject": "节日问候：中秋节", "body": GREETING,
            "template": "亲爱的{name}，{holiday}快乐！", "placeholders": {"name": "李雷", "holiday": "中秋节"},
            "order_id": None, "order_no": None, "country": "CN", "timezone": "Asia/Shanghai",
            "due_at": T0.isoformat(), "local_time": "2026-11-02T17:00+08:00",
            "expires_at": (T0 + timedelta(seconds=expires_in)).isoformat() if expires_in is not None else None,
            "grade": "VIP1", "segment": "champions", **extra}  # fmt: skip


def care_items(session):
    return session.scalars(select(Ticket).where(Ticket.kind == "care").order_by(Ticket.opened_wall_at)).all()


def expire(session, t: float) -> int:
    timer = TIMERS["tickets.close_expired_tasks"]
    moment = ctx(session, at(t))
    if not session.scalar(select(timer.due(moment))):
        return 0
    return timer.rule(session, moment)


def test_one_item_per_task_with_the_text_as_a_suggestion_never_sent(session, shop, handle):
    seat(session, "s1", "a1")
    handle("care.task_due", due())
    handle("care.task_due", due(), 1)  # a repeat
    [item] = care_items(session)
    assert (item.grp, item.channel, item.language, item.subject, item.source_ref) == (
        "pre_sale", "platform_message", "zh", "节日问候：中秋节", "care:ct1")  # fmt: skip
    assert (item.customer_id, item.buyer_name, item.expires_at) == ("c1", "李雷", T0 + timedelta(hours=1))
    intro, suggestion = messages_of(session, item)
    assert (intro.kind, suggestion.kind, suggestion.author, suggestion.body) == ("event", "suggestion", "system",
                                                                               GREETING)  # fmt: skip
    assert intro.body.splitlines() == [
        "care task (holiday_greeting) for 李雷: send the suggested message below, as it is or in your words",
        "due 2026-11-02T17:00+08:00 the customer's time (Asia/Shanghai)",
        "closes itself unanswered at 2026-11-02 10:00 (shop time)",
        "grade VIP1, segment champions, country CN",
    ]
    assert messages_of(session, item, "buyer") == []  # nothing reached the buyer
    assert published(session, "message.replied") == []
    # waiting to be claimed, not pushed onto the online agent; no resolution target
    assert (item.assignee_id, item.resolution_due_at, item.first_response_due_at) == (None, None, None)


def test_a_student_claims_it_and_sends_the_text_as_their_own_reply(session, shop, handle):
    seat(session, "s1", "a1")
    handle("care.task_due", due())
    [item] = care_items(session)
    assignment.claim(session, ctx(session, at(10)), item, "a1")
    message, _ = messages.agent_replies(session, *shop_at(session, at(20)), item, "a1", GREETING)
    assert (message.author, message.kind, item.status, item.served_by) == ("agent", "message", "open", "a1")
    assert expire(session, 7200) == 0  # answered: its agent finishes it (the buyer may be answering)
    # the buyer answers: now a buyer is waiting for a person, and the reply-time targets run for them. The shop
    # spoke first, so it is the next-response target (DESIGN.md: a first response answers the buyer's message that
    # opened the conversation; this round counts in the average response time, not the first response time)
    messages.buyer_writes(session, *shop_at(session, at(7300)), item, "谢谢，也祝你们节日快乐")
    assert (item.first_response_due_at, item.next_response_due_at) == (None, at(7300) + timedelta(seconds=180))


def test_an_unanswered_item_closes_itself_at_its_expiry(session, shop, handle):
    seat(session, "s1", "a1")
    handle("care.task_due", due("ct1"))
    handle("care.task_due", due("ct2", kind="win_back", expires_in=None), 1)
    [greeting, win_back] = care_items(session)
    assignment.claim(session, ctx(session, at(5)), greeting, "a1")  # claimed, but nobody wrote
    assert expire(session, 3599) == 0
    assert expire(session, 3600) == 1
    assert expire(session, 3601) == 0
    assert (greeting.status, greeting.close_reason) == ("closed", "expired")
    assert [p["reason"] for p in published(session, "ticket.closed")] == ["expired"]
    assert win_back.status == "new"  # no expiry: it waits for a person


def test_an_item_arriving_after_its_expiry_opens_nothing(session, shop, handle):
    handle("care.task_due", due(expires_in=60), 61)
    assert care_items(session) == []


def test_a_channel_the_queue_does_not_have_becomes_a_platform_message(session, shop, handle):
    handle("care.task_due", due(channel="sms"))
    assert care_items(session)[0].channel == "platform_message"


def test_care_items_never_take_a_buyers_place_in_the_queue(session, shop, handle):
    seat(session, "s1", "a1", status="offline")
    for n in range(10):
        handle("care.task_due", due(f"ct{n}"), n)
    asked = open_ticket(session, *shop_at(session, at(20)), kind="pre_sale", customer_id="c9", body="在吗")
    seat(session, "s1", "a1")  # online: the buyer's question is handed out, the older care items keep waiting
    assert asked.assignee_id == "a1"
    assert {item.assignee_id for item in care_items(session)} == {None}


@pytest.mark.parametrize("platform", ["taobao", "aliexpress", "amazon", "ebay"])
def test_every_profiles_care_texts_pass_its_own_reply_rules(platform):
    """A student who sends the suggested text as it is must not be refused (a follow-up names the order)."""
    profile = load_profile(platform)
    values = {"name": "Emma Johnson", "shop": "Test shop 测试店", "holiday": "Thanksgiving Day",
              "order_no": "261110004593281766", "grade": "VIP2", "days": "3"}  # fmt: skip
    for kind, template in profile["crm"]["care"]["templates"].items():
        for language, body in template["body"].items():
            text = body.format_map(values)
            refused = [v for v in check_text(text, profile["forbidden_content"]) if v.action == "refuse"]
            assert refused == [], (kind, language, text)
