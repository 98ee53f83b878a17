"""The producer's deliveries: opened per subscriber when sent, closed by confirmations (even one that overtakes the
send's own record), due again after ``RESEND_AFTER`` unless confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from shoplab.eventbus import deliveries
from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import BusBase, Delivery, OutboxMessage
from shoplab.plumbing.database import make_engine

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'producer.sqlite3'}")
    BusBase.metadata.create_all(engine)
    with engine.begin() as conn:
        for event_id, kind in (("e1", "shop.opened"), ("e2", "order.placed")):
            conn.execute(
                insert(OutboxMessage).values(id=event_id, type=kind, message=f'{{"id": "{event_id}"}}',
                                             created_wall_at=NOW, attempts=0)
            )  # fmt: skip
    yield engine
    engine.dispose()


def rows(engine) -> dict[tuple[str, str], tuple[int, bool, datetime]]:
    with engine.connect() as conn:
        found = conn.execute(select(Delivery.__table__)).all()
    return {(r.event_id, r.subscriber): (r.attempts, r.confirmed_wall_at is not None, r.resend_wall_at) for r in found}


def test_a_sent_event_opens_one_delivery_per_subscriber_once(engine):
    with engine.begin() as conn:
        deliveries.record_sent(conn, [("e1", "shop.opened"), ("e2", "order.placed")], NOW)
        deliveries.record_sent(conn, [("e1", "shop.opened")], NOW + timedelta(seconds=1))  # sent again: unchanged
    expected = {("e1", s) for s in subscribers_of("shop.opened")} | {("e2", s) for s in subscribers_of("order.placed")}
    assert set(rows(engine)) == expected
    assert all(v == (1, False, NOW + deliveries.RESEND_AFTER) for v in rows(engine).values())


def test_confirmations_close_deliveries_and_may_overtake_the_record_of_the_send(engine):
    with engine.begin() as conn:
        deliveries.record_sent(conn, [("e1", "shop.opened")], NOW)
        # crm confirms e1; tickets confirms e2 before the relay recorded e2 as sent; a stranger's id is ignored
        deliveries.record_confirmed(conn, {"crm": ["e1", "e1"], "tickets": ["e2", "not-ours"]}, NOW)
        deliveries.record_sent(conn, [("e2", "order.placed")], NOW)
    found = rows(engine)
    assert found[("e1", "crm")][1] and not found[("e1", "orders")][1]
    assert found[("e2", "tickets")][:2] == (1, True)
    assert not any(event_id == "not-ours" for event_id, _ in found)


def test_only_unconfirmed_deliveries_past_their_time_are_due_and_sending_again_counts(engine):
    with engine.begin() as conn:
        deliveries.record_sent(conn, [("e1", "shop.opened")], NOW)
        deliveries.record_confirmed(conn, {"crm": ["e1"]}, NOW)
    later = NOW + deliveries.RESEND_AFTER
    with engine.connect() as conn:
        assert deliveries.overdue(conn, NOW + timedelta(seconds=1), 100) == []
        due = deliveries.overdue(conn, later, 100)
    assert sorted(subscriber for _, subscriber, _, _ in due) == sorted(set(subscribers_of("shop.opened")) - {"crm"})
    assert all(message == '{"id": "e1"}' and sent == NOW for _, _, message, sent in due)
    with engine.begin() as conn:
        deliveries.record_resent(conn, {"orders": ["e1"]}, later)
        deliveries.record_resent(conn, {"reviews": ["e1"]}, later, sent=False)  # held back: not an attempt
    found = rows(engine)
    assert found[("e1", "orders")] == (2, False, later + deliveries.RESEND_AFTER)
    assert found[("e1", "reviews")] == (1, False, later + deliveries.RESEND_AFTER)
    assert found[("e1", "tickets")] == (1, False, later)
