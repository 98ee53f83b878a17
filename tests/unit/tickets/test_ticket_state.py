"""The status machine as a table: every move it lists leads where the table says, every other is a 409 that
carries the ticket's current status (what a client shows: "the ticket is closed")."""

from __future__ import annotations

import pytest

from services.tickets.models import Ticket
from services.tickets.ticket_state import (
    ALLOWED_IN,
    CLOSED,
    NEW,
    OPEN,
    PENDING,
    RESOLVED,
    STATUSES,
    TRANSITIONS,
    next_status,
    require_status,
)
from shoplab.errors import Conflict

MOVES = [(action, status) for action in TRANSITIONS for status in STATUSES]


@pytest.mark.parametrize(("action", "status"), MOVES)
def test_every_move_is_the_tables_or_a_409_with_the_current_status(action, status):
    ticket = Ticket(status=status)
    target = TRANSITIONS[action].get(status)
    if target is not None:
        assert next_status(ticket, action) == target
        return
    with pytest.raises(Conflict) as refused:
        next_status(ticket, action)
    assert refused.value.status == 409
    assert refused.value.details["current_status"] == status
    assert refused.value.fields and all(reasons for reasons in refused.value.fields.values())


def test_the_agents_moves_and_the_buyers():
    assert {status for status in STATUSES if status not in TRANSITIONS["pend"]} == {PENDING, RESOLVED, CLOSED}
    assert set(TRANSITIONS["resume"]) == {PENDING}
    assert CLOSED not in TRANSITIONS["resolve"] and CLOSED not in TRANSITIONS["close"]
    assert TRANSITIONS["buyer_writes"][RESOLVED] == OPEN  # the buyer reopens a resolved ticket
    assert TRANSITIONS["agent_replies"][NEW] == OPEN
    with pytest.raises(Conflict) as closed:
        next_status(Ticket(status=CLOSED), "buyer_writes")
    assert closed.value.fields == {"ticket_id": ["ticket is closed"]} and closed.value.details["status"] == CLOSED
    with pytest.raises(Conflict) as pending:
        next_status(Ticket(status=PENDING), "pend")
    assert pending.value.fields == {"status": ["not allowed from pending"]}
    assert pending.value.message == "a pending ticket cannot become pending"


@pytest.mark.parametrize(("action", "status"), [(a, s) for a in ALLOWED_IN for s in STATUSES])
def test_actions_that_keep_the_status_are_refused_outside_theirs(action, status):
    ticket = Ticket(status=status)
    if status in ALLOWED_IN[action]:
        require_status(ticket, action)
        return
    with pytest.raises(Conflict) as refused:
        require_status(ticket, action)
    assert refused.value.details["current_status"] == status
