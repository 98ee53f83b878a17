"""The HTTP port's care items, against a fake buyer API: which care items are watched (the port's own buyers', named by
the feed, or listed again when notifications were lost), and what the shop writes there: a ``care_message`` while it
speaks first, a ``reply`` once the buyer has answered. On the real stack: ``test_care_messages.py`` (integration).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.buyer_view import BuyerView

T0 = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)


class FakeApi:
    """The buyer API as the view calls it: a feed, each customer's tickets, a ticket as its buyer sees it."""

    def __init__(self) -> None:
        self.feed: dict[str, Any] = {"seq": 0, "complete": True, "items": []}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, str | None]] = []

    def call(self, method: str, path: str, buyer: str | None = None, body: Any = None, params: Any = None) -> Any:
        self.calls.append((method, path, buyer))
        if path == "/feed":
            return self.feed
        if path == "/tickets":
            return {"items": [t for t in self.tickets.values() if t["customer_id"] == buyer and t["kind"] == "care"]}
        ticket = self.tickets[path.rsplit("/", 1)[1]]
        assert ticket["customer_id"] == buyer, "a buyer reads only their own conversations"
        return ticket


def _message(number: int, author: str, body: str, minutes: int) -> dict[str, Any]:
    at = (T0 + timedelta(minutes=minutes)).isoformat()
    agent = "u-1" if author == "agent" else None
    return {"id": number, "author": author, "kind": "message", "body": body, "agent_id": agent, "created_at": at}


def _care(ticket_id: str, customer_id: str, greeting: str) -> dict[str, Any]:
    """A care item the student has written the care message on (the first message of the conversation)."""
    return {"id": ticket_id, "kind": "care", "customer_id": customer_id, "channel": "platform_message",
            "status": "open", "order_id": None, "messages": [_message(1, "agent", greeting, minutes=1)]}  # fmt: skip


def _notified(api: FakeApi, *tickets: dict[str, Any], complete: bool = True) -> None:
    api.feed = {
        "seq": api.feed["seq"] + len(tickets),
        "complete": complete,
        "items": [
            {"seq": api.feed["seq"] + n, "type": "message.replied",
             "ids": {"ticket_id": t["id"], "customer_id": t["customer_id"], "kind": "care"}}
            for n, t in enumerate(tickets, start=1)
        ],
    }  # fmt: skip


def _view(api: FakeApi) -> BuyerView:
    view = BuyerView(api, lambda wall: wall)  # type: ignore[arg-type]
    view.buyer_registered("b0001")
    view.observe()  # the first look: the feed's position
    return view


def test_the_shop_speaking_first_on_a_buyers_care_item_is_a_care_message_then_replies():
    api = FakeApi()
    view = _view(api)
    mine = _care("t1", "b0001", "Dear Emma, Merry Christmas!")
    theirs = _care("t2", "c-other", "Dear Olivia, Merry Christmas!")
    api.tickets.update(t1=mine, t2=theirs)
    _notified(api, mine, theirs)
    [seen] = view.observe()
    assert (seen.kind, seen.buyer, seen.conversation_id) == ("care_message", "b0001", "t1")
    assert seen.text == "Dear Emma, Merry Christmas!"
    assert seen.facts == {"channel": "platform_message", "agent_id": "u-1"} and seen.at == T0 + timedelta(minutes=1)
    assert "t2" not in view.conversations and ("GET", "/tickets/t2", "c-other") not in api.calls

    mine["messages"] += [_message(2, "buyer", "Thank you!", minutes=3), _message(3, "agent", "You're welcome.", 4)]
    _notified(api, mine)
    [reply] = view.observe()
    assert (reply.kind, reply.text, reply.facts["wall_delay_seconds"]) == ("reply", "You're welcome.", 60.0)


def test_care_items_are_listed_again_when_notifications_were_lost():
    api = FakeApi()
    view = _view(api)
    api.tickets["t1"] = _care("t1", "b0001", "Dear Emma, we hope the scarf keeps you warm.")
    api.feed = {"seq": 600, "complete": False, "items": []}  # the notification of t1 was among those lost
    [seen] = view.observe()
    assert seen.kind == "care_message" and seen.conversation_id == "t1"
    assert ("GET", "/tickets", "b0001") in api.calls
