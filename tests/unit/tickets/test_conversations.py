"""The ticket state machine, auto first replies, notes, CSAT and the buyer's view."""

from __future__ import annotations

import pytest

from services.tickets import csat, lifecycle, messages, policy, views
from services.tickets.opening import open_ticket
from services.tickets.schemas.conversation import TicketDetailOut
from shoplab.errors import Conflict, InvalidInput
from tests.unit.tickets.conftest import T0, at, ctx, open_shop, published, seat, shop_at


def _ticket(session, shop_id="s1", language=None, body="在吗"):
    return open_ticket(
        session, *shop_at(session, at(0), shop_id), kind="pre_sale", customer_id="c1", language=language, body=body
    )


def test_first_message_gets_the_welcome_in_the_buyers_language(session):
    open_shop(session, "ae", platform="aliexpress")
    ticket = _ticket(session, "ae", language="es", body="¿Tienen talla M?")
    conversation = views.messages_of(session, ticket)
    assert [(m.author, m.kind) for m in conversation] == [("buyer", "message"), ("system", "auto_reply")]
    assert conversation[1].body.startswith("¡Hola")
    assert ticket.status == "new" and ticket.awaiting_reply is True and ticket.first_replied_wall_at is None
    auto = published(session, "message.replied")
    assert auto[0]["auto"] is True and auto[0]["agent_id"] is None and auto[0]["reply_seconds"] is None


def test_welcome_falls_back_to_the_shop_language_and_can_be_overridden(session, shop):
    assert views.messages_of(session, _ticket(session, language="ko"))[1].body.startswith("亲，您好")
    policy.change_settings(session, ctx(session, T0), {"welcome": {"zh": "欢迎光临小店！"}})
    assert views.messages_of(session, _ticket(session))[1].body == "欢迎光临小店！"


def test_status_machine(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.agent_replies(session, *shop_at(session, at(10)), ticket, "a1", "在的亲")
    assert ticket.status == "open"
    lifecycle.change_status(session, *shop_at(session, at(20)), ticket, "pending", agent_id="a1")
    with pytest.raises(Conflict):
        lifecycle.change_status(session, *shop_at(session, at(21)), ticket, "pending", agent_id="a1")
    lifecycle.change_status(session, *shop_at(session, at(30)), ticket, "open", agent_id="a1")
    lifecycle.change_status(session, *shop_at(session, at(40)), ticket, "resolved", agent_id="a1")
    messages.buyer_writes(session, *shop_at(session, at(50)), ticket, "还有一个问题")
    assert (ticket.status, ticket.reopen_count, ticket.resolved_wall_at) == ("open", 1, None)
    lifecycle.change_status(session, *shop_at(session, at(60)), ticket, "closed", agent_id="a1")
    with pytest.raises(Conflict) as buyer_closed:
        messages.buyer_writes(session, *shop_at(session, at(70)), ticket, "hello?")
    assert buyer_closed.value.fields == {"ticket_id": ["ticket is closed"]}
    with pytest.raises(Conflict):
        messages.agent_replies(session, *shop_at(session, at(80)), ticket, "a1", "您好")
    statuses = [(e["status"], e["reason"]) for e in published(session, "ticket.status_changed")]
    assert statuses == [("pending", "awaiting_buyer"), ("open", None), ("open", "reopened")]
    assert [e["reason"] for e in published(session, "ticket.closed")] == ["agent"]


def test_notes_are_internal(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    messages.add_note(session, ctx(session, at(5)), ticket, "a1", "VIP buyer, be generous")
    assert ticket.awaiting_reply is True  # a note answers nothing
    buyer_view = TicketDetailOut().dump(views.ticket_detail(session, ticket, audience="buyer"))
    assert [m["kind"] for m in buyer_view["messages"]] == ["message", "auto_reply"]
    assert "rounds" not in buyer_view and "order" not in buyer_view
    agent_view = TicketDetailOut().dump(views.ticket_detail(session, ticket))
    assert [m["kind"] for m in agent_view["messages"]] == ["message", "auto_reply", "note"]


def test_another_agents_ticket_cannot_be_answered(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    seat(session, "s1", "a2")
    with pytest.raises(Conflict) as held:
        messages.agent_replies(session, *shop_at(session, at(5)), ticket, "a2", "我来")
    assert held.value.fields == {"agent_id": ["ticket is held by a1"]}


def test_empty_and_oversized_messages(session, shop):
    ticket = _ticket(session)
    with pytest.raises(InvalidInput) as empty:
        messages.buyer_writes(session, *shop_at(session, at(5)), ticket, "   ")
    assert empty.value.fields == {"body": ["must not be empty"]}
    with pytest.raises(InvalidInput) as long:
        messages.buyer_writes(session, *shop_at(session, at(5)), ticket, "好" * 2001)
    assert long.value.fields == {"body": ["at most 2000 characters, got 2001"]}


def test_csat_once_and_only_after_resolution(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    with pytest.raises(Conflict):
        csat.rate(session, ctx(session, at(1)), ticket, 5)
    messages.agent_replies(session, *shop_at(session, at(2)), ticket, "a1", "好的")
    lifecycle.change_status(session, *shop_at(session, at(3)), ticket, "resolved", agent_id="a1")
    csat.rate(session, ctx(session, at(4)), ticket, 4, "fast")
    with pytest.raises(Conflict):
        csat.rate(session, ctx(session, at(5)), ticket, 1)
    assert published(session, "csat.rated") == [
        {
            "ticket_id": ticket.id,
            "kind": "pre_sale",
            "group": "pre_sale",
            "customer_id": "c1",
            "order_id": None,
            "order_no": None,
            "agent_id": "a1",
            "score": 4,
            "comment": "fast",
            "rated_at": at(4).isoformat(),
        }
    ]


def test_what_came_after_a_message_includes_the_moments_before_it(session, shop):
    """A page that shows a message asks for what came after it; a message saved just before it may have committed
    later (PostgreSQL ids), so those of the moments before are sent again (the page keeps each once)."""
    seat(session, "s1", "a1")
    ticket = _ticket(session)  # the buyer's message and the auto reply at 0 s
    messages.agent_replies(session, *shop_at(session, at(60)), ticket, "a1", "在的亲")
    messages.buyer_writes(session, *shop_at(session, at(65)), ticket, "发什么快递？")
    shown, _ = messages.agent_replies(session, *shop_at(session, at(66)), ticket, "a1", "中通")
    messages.buyer_writes(session, *shop_at(session, at(70)), ticket, "好的")
    again = [m.body for m in views.messages_of(session, ticket, after=shown.id)]
    assert again == ["在的亲", "发什么快递？", "中通", "好的"]  # from 56 s on; the first minute's are not sent again
    assert [m.body for m in views.messages_of(session, ticket, after=10**9)] == []  # not this ticket's: nothing
