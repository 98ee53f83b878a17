"""The ticket state machine, auto first replies, notes, CSAT and the buyer's view."""

from __future__ import annotations

import pytest

from services.tickets import conversations, policy
from shoplab.errors import Conflict, InvalidInput
from tests.unit.tickets.conftest import at, open_shop, published, seat


def _ticket(session, shop_id="s1", language=None, body="在吗"):
    return conversations.open_ticket(
        session, shop_id, kind="pre_sale", customer_id="c1", language=language, body=body, at=at(0)
    )


def test_first_message_gets_the_welcome_in_the_buyers_language(session):
    open_shop(session, "ae", platform="aliexpress")
    ticket = _ticket(session, "ae", language="es", body="¿Tienen talla M?")
    messages = conversations.messages_of(session, ticket)
    assert [(m.author, m.kind) for m in messages] == [("buyer", "message"), ("system", "auto_reply")]
    assert messages[1].body.startswith("¡Hola")
    assert ticket.status == "new" and ticket.awaiting_reply is True and ticket.first_replied_at is None
    auto = published(session, "message.replied")
    assert auto[0]["auto"] is True and auto[0]["agent_id"] is None and auto[0]["reply_seconds"] is None


def test_welcome_falls_back_to_the_shop_language_and_can_be_overridden(session, shop):
    assert conversations.messages_of(session, _ticket(session, language="ko"))[1].body.startswith("亲，您好")
    policy.change_settings(session, "s1", {"welcome": {"zh": "欢迎光临小店！"}})
    assert conversations.messages_of(session, _ticket(session))[1].body == "欢迎光临小店！"


def test_status_machine(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    conversations.agent_replies(session, ticket, "a1", "在的亲", at=at(10))
    assert ticket.status == "open"
    conversations.change_status(session, ticket, "pending", agent_id="a1", at=at(20))
    with pytest.raises(Conflict):
        conversations.change_status(session, ticket, "pending", agent_id="a1", at=at(21))
    conversations.change_status(session, ticket, "open", agent_id="a1", at=at(30))
    conversations.change_status(session, ticket, "resolved", agent_id="a1", at=at(40))
    conversations.buyer_writes(session, ticket, "还有一个问题", at=at(50))
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == ("open", 1, None)
    conversations.change_status(session, ticket, "closed", agent_id="a1", at=at(60))
    with pytest.raises(Conflict) as buyer_closed:
        conversations.buyer_writes(session, ticket, "hello?", at=at(70))
    assert buyer_closed.value.fields == {"ticket_id": ["ticket is closed"]}
    with pytest.raises(Conflict):
        conversations.agent_replies(session, ticket, "a1", "您好", at=at(80))
    statuses = [(e["status"], e["reason"]) for e in published(session, "ticket.status_changed")]
    assert statuses == [("pending", "awaiting_buyer"), ("open", None), ("open", "reopened")]
    assert [e["reason"] for e in published(session, "ticket.closed")] == ["agent"]


def test_notes_are_internal(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    conversations.add_note(session, ticket, "a1", "VIP buyer, be generous", at=at(5))
    assert ticket.awaiting_reply is True  # a note answers nothing
    buyer_view = conversations.view(session, ticket, audience="buyer")
    assert [m["kind"] for m in buyer_view["messages"]] == ["message", "auto_reply"]
    assert "rounds" not in buyer_view and "order" not in buyer_view
    agent_view = conversations.view(session, ticket)
    assert [m["kind"] for m in agent_view["messages"]] == ["message", "auto_reply", "note"]


def test_another_agents_ticket_cannot_be_answered(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    seat(session, "s1", "a2")
    with pytest.raises(Conflict) as held:
        conversations.agent_replies(session, ticket, "a2", "我来", at=at(5))
    assert held.value.fields == {"agent_id": ["ticket is held by a1"]}


def test_empty_and_oversized_messages(session, shop):
    ticket = _ticket(session)
    with pytest.raises(InvalidInput) as empty:
        conversations.buyer_writes(session, ticket, "   ", at=at(5))
    assert empty.value.fields == {"body": ["must not be empty"]}
    with pytest.raises(InvalidInput) as long:
        conversations.buyer_writes(session, ticket, "好" * 2001, at=at(5))
    assert long.value.fields == {"body": ["at most 2000 characters, got 2001"]}


def test_csat_once_and_only_after_resolution(session, shop):
    seat(session, "s1", "a1")
    ticket = _ticket(session)
    with pytest.raises(Conflict):
        conversations.rate(session, ticket, 5, at=at(1))
    conversations.agent_replies(session, ticket, "a1", "好的", at=at(2))
    conversations.change_status(session, ticket, "resolved", agent_id="a1", at=at(3))
    conversations.rate(session, ticket, 4, "fast", at=at(4))
    with pytest.raises(Conflict):
        conversations.rate(session, ticket, 1, at=at(5))
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
