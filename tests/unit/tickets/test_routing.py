"""Routing rules: skill groups, online only, round-robin and least-loaded with a cap, hand-back when offline."""

from __future__ import annotations

import pytest

from services.tickets import agents, assignment, lifecycle, messages, policy, routing
from services.tickets.opening import open_ticket
from shoplab.errors import Conflict, InvalidInput
from tests.unit.tickets.conftest import T0, at, ctx, open_shop, published, seat, shop_at


def _open(session, kind="pre_sale", t=0, shop="s1"):
    return open_ticket(session, *shop_at(session, at(t), shop), kind=kind, customer_id=f"c{t}", body="在吗")


def test_only_online_agents_of_the_group_get_work(session, shop):
    seat(session, "s1", "pre", skills=["pre_sale"])
    seat(session, "s1", "after", skills=["after_sale"])
    seat(session, "s1", "off", status="offline")
    seat(session, "s1", "away", status="away")
    assert _open(session, "pre_sale").assignee_id == "pre"
    assert _open(session, "logistics", 1).assignee_id == "after"
    assert _open(session, "payment_reminder", 2).assignee_id == "pre"


def test_round_robin_takes_turns(session, shop):
    policy.change_settings(session, ctx(session, T0), {"routing_mode": "round_robin", "per_agent_cap": 10})
    for name in ("a1", "a2", "a3"):
        seat(session, "s1", name)
    assert [_open(session, t=t).assignee_id for t in range(6)] == ["a1", "a2", "a3", "a1", "a2", "a3"]


def test_least_loaded_fills_the_emptiest_and_respects_the_cap(session, shop):
    policy.change_settings(session, ctx(session, T0), {"routing_mode": "least_loaded", "per_agent_cap": 2})
    seat(session, "s1", "a1")
    first = _open(session, t=0)
    second = _open(session, t=1)
    assert (first.assignee_id, second.assignee_id) == ("a1", "a1")
    assert _open(session, t=2).assignee_id is None  # a1 is at the cap: the ticket waits in the queue
    seat(session, "s1", "a2")  # coming online takes the waiting ticket
    assert routing.load_of(session, "s1") == {"a1": 2, "a2": 1}
    messages.agent_replies(session, *shop_at(session, at(5)), first, "a1", "好的")
    lifecycle.change_status(session, *shop_at(session, at(6)), first, "resolved", agent_id="a1")
    # 1 held each: the tie goes to whoever's last assignment is older (a2 took the waiting ticket at 0, a1 at 1)
    assert _open(session, t=7).assignee_id == "a2"
    assert routing.load_of(session, "s1") == {"a1": 1, "a2": 2}
    assert _open(session, t=8).assignee_id == "a1"


def test_pick_agent_rule_orders_by_load_then_turn():
    from datetime import UTC, datetime

    from services.tickets.models import Agent

    t = datetime(2026, 1, 1, tzinfo=UTC)
    a = Agent(agent_id="a", status="online", skills="", last_assigned_wall_at=t)
    b = Agent(agent_id="b", status="online", skills="", last_assigned_wall_at=None)
    c = Agent(agent_id="c", status="online", skills="after_sale", last_assigned_wall_at=None)
    assert routing.pick_agent([a, b, c], {"a": 0, "b": 1}, "pre_sale", "least_loaded", 5).agent_id == "a"
    assert routing.pick_agent([a, b, c], {"a": 0, "b": 1}, "pre_sale", "round_robin", 5).agent_id == "b"
    assert routing.pick_agent([a, b, c], {"a": 5, "b": 5}, "pre_sale", "least_loaded", 5) is None
    assert routing.pick_agent([a, b, c], {"a": 5, "b": 5}, "after_sale", "least_loaded", 5).agent_id == "c"


def test_going_offline_hands_open_tickets_back_to_others(session, shop):
    seat(session, "s1", "a1")
    tickets = [_open(session, t=t) for t in range(3)]
    messages.agent_replies(session, *shop_at(session, at(5)), tickets[2], "a1", "好的")
    lifecycle.change_status(session, *shop_at(session, at(6)), tickets[2], "resolved", agent_id="a1")
    seat(session, "s1", "a2", status="away")
    agents.set_status(session, *shop_at(session, at(10)), "a1", "offline")
    assert [t.assignee_id for t in tickets[:2]] == [None, None]  # nobody online: back to the queue
    assert tickets[2].assignee_id == "a1"  # a resolved ticket stays with who resolved it
    agents.set_status(session, *shop_at(session, at(20)), "a2", "online")
    assert [t.assignee_id for t in tickets[:2]] == ["a2", "a2"]
    returned = [e for e in published(session, "ticket.assigned") if e["how"] == "returned"]
    assert len(returned) == 2


def test_claim_transfer_and_assign_rules(session, shop):
    policy.change_settings(session, ctx(session, T0), {"per_agent_cap": 1})
    ticket = _open(session)  # nobody online: unassigned
    seat(session, "s1", "a2", status="offline")
    open_shop(session, "s2")
    seat(session, "s2", "stranger")
    with pytest.raises(InvalidInput) as offline:
        assignment.claim(session, ctx(session, T0), ticket, "a2")
    assert offline.value.fields == {"agent_id": ["agent is offline, not online"]}
    seat(session, "s1", "a1")  # online: the waiting ticket is routed to a1
    assert ticket.assignee_id == "a1"
    agents.set_status(session, *shop_at(session, T0), "a2", "online")
    with pytest.raises(Conflict) as taken:
        assignment.claim(session, ctx(session, T0), ticket, "a2")
    assert taken.value.fields == {"agent_id": ["ticket is held by a1"]}
    with pytest.raises(InvalidInput) as other_shop:
        assignment.transfer(session, ctx(session, T0), ticket, "a1", "stranger")
    assert other_shop.value.fields == {"to_agent_id": ["not an agent of this shop"]}
    with pytest.raises(Conflict):
        assignment.transfer(session, ctx(session, T0), ticket, "a2", "a1")  # a2 does not hold it
    assignment.transfer(session, ctx(session, T0), ticket, "a1", "a2")
    assert ticket.assignee_id == "a2"
    agents.set_status(session, *shop_at(session, T0), "a1", "offline")
    with pytest.raises(InvalidInput) as assign_offline:
        assignment.assign(session, ctx(session, T0), ticket, "a1")
    assert assign_offline.value.fields == {"agent_id": ["agent is offline, not online"]}
    agents.set_status(session, *shop_at(session, T0), "a1", "online")
    assert _open(session, t=4).assignee_id == "a1"
    waiting = _open(session, t=5)  # both at the cap of 1: it waits...
    assert waiting.assignee_id is None
    assignment.claim(session, ctx(session, T0), waiting, "a1")  # ...and a manual claim may go over the cap
    assert waiting.assignee_id == "a1"
    hows = [e["how"] for e in published(session, "ticket.assigned")]
    assert hows == ["routed", "transferred", "routed", "claimed"]


def test_status_change_before_agent_joined_seats_the_agent(session, shop):
    from services.tickets import handlers
    from services.tickets.models import Agent
    from tests.unit.tickets.conftest import event

    ticket = _open(session)
    status = {"agent_id": "late", "shop_id": "s1", "status": "online"}
    handlers.on_agent_status_changed(session, event("agent.status_changed", "s1", status, at(5)))
    assert ticket.assignee_id == "late"
    joined = {"agent_id": "late", "shop_id": "s1", "display_name": "迟到的 Late", "skills": ["pre_sale"]}
    handlers.on_agent_joined(session, event("agent.joined", "s1", joined, at(6)))
    agent = session.get(Agent, ("s1", "late"))
    assert (agent.display_name, agent.skills, agent.status) == ("迟到的 Late", "pre_sale", "online")
