from types import SimpleNamespace

import pytest

from services.orders.order_state import ALLOWED_IN, STATES, TRANSITIONS, next_state, require_state
from shoplab.errors import Conflict

LEGAL = {
    ("unpaid", "pay"): "paid",
    ("unpaid", "cancel"): "cancelled",
    ("paid", "cancel"): "cancelled",
    ("paid", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
    ("delivered", "complete"): "completed",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_transition_is_checked(state, action):
    order = SimpleNamespace(state=state)
    if (state, action) in LEGAL:
        assert next_state(order, action) == LEGAL[(state, action)]
    else:
        with pytest.raises(Conflict) as caught:
            next_state(order, action)
        assert caught.value.details["current_state"] == state
        assert caught.value.status == 409
        assert "state" in caught.value.fields


def test_the_lifecycle_reaches_completed_and_nothing_leaves_it():
    order = SimpleNamespace(state="unpaid")
    for action in ("pay", "ship", "deliver", "complete"):
        order.state = next_state(order, action)
    assert order.state == "completed"
    for action in TRANSITIONS:
        with pytest.raises(Conflict):
            next_state(order, action)


def test_cancelled_orders_cannot_be_paid_shipped_or_refunded():
    order = SimpleNamespace(state="cancelled")
    for action in ("pay", "ship"):
        with pytest.raises(Conflict):
            next_state(order, action)
    for action in ("refund", "remind", "change_address", "return"):
        with pytest.raises(Conflict) as caught:
            require_state(order, action)
        assert caught.value.details["current_state"] == "cancelled"


def test_address_changes_only_before_shipping():
    assert ALLOWED_IN["change_address"] == {"unpaid", "paid"}
