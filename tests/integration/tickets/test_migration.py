"""A tickets database of the previous revision, with rows in it, upgrades in place: every time lands in the column
that names its clock with its value unchanged, and every amount becomes exact minor units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, select

from services.tickets.models import Agent, Dispute, Message, OrderFacts, ReplyRound, SlaBreach, Ticket
from shoplab.migrations.runner import alembic_config
from tests.integration.tickets.conftest import deliver

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "tickets" / "migrations"
WALL = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SHOP = WALL + timedelta(days=10)  # the shop's clock ran ahead (an instructor sped it up)


def _at(moment: datetime, seconds: float = 0) -> datetime:
    return moment + timedelta(seconds=seconds)


def _old_rows() -> dict[str, list[dict]]:
    ticket = {
        "id": "t1", "shop_id": "s1", "kind": "pre_sale", "grp": "pre_sale", "status": "resolved", "subject": "",
        "channel": "chat", "language": "zh", "source": "buyer", "source_ref": None, "customer_id": "c1",
        "buyer_name": "李雷", "order_id": "o1", "order_no": "NO-o1", "assignee_id": "a1", "served_by": "a1",
        "resolved_by": "a1", "opened_at": _at(WALL), "opened_sim_at": _at(SHOP), "updated_at": _at(WALL, 90),
        "first_replied_at": _at(WALL, 40), "first_response_seconds": 40.0, "resolved_at": _at(WALL, 90),
        "resolution_seconds": 90.0, "closed_at": None, "close_reason": None, "reopen_count": 0, "round_count": 1,
        "awaiting_reply": False, "first_response_due": _at(SHOP, 180), "next_response_due": None,
        "resolution_due": _at(SHOP, 86400), "paused_at": None, "paused_seconds": 0.0,
        "first_response_breached": False, "next_response_breached": False, "resolution_breached": False,
        "breach_count": 0, "csat_score": 5, "csat_comment": "好", "rated_at": _at(WALL, 100),
        "converted_at": _at(WALL, 300), "converted_order_id": "o1", "converted_amount": Decimal("0.29"),
    }  # fmt: skip
    return {
        "agents": [
            {
                "shop_id": "s1",
                "agent_id": "a1",
                "display_name": "A1",
                "skills": "",
                "status": "online",
                "max_open": None,
                "last_assigned_at": _at(WALL, 1),
                "status_changed_at": _at(WALL, -5),
                "joined_at": _at(WALL, -60),
            }
        ],  # fmt: skip
        "tickets": [ticket],
        "messages": [
            {
                "shop_id": "s1",
                "ticket_id": "t1",
                "author": "buyer",
                "kind": "message",
                "agent_id": None,
                "body": "在吗",
                "channel": "chat",
                "language": "zh",
                "created_at": _at(WALL),
                "phrase_id": None,
                "warnings": None,
            }
        ],  # fmt: skip
        "reply_rounds": [
            {
                "shop_id": "s1",
                "ticket_id": "t1",
                "grp": "pre_sale",
                "seq": 1,
                "is_first": True,
                "agent_id": "a1",
                "started_at": _at(WALL),
                "replied_at": _at(WALL, 40),
                "reply_seconds": 40.0,
            }
        ],  # fmt: skip
        "sla_breaches": [
            {
                "shop_id": "s1",
                "ticket_id": "t1",
                "target": "first_response",
                "due_at": _at(SHOP, 180),
                "detected_at": _at(SHOP, 200),
                "agent_id": "a1",
                "grp": "pre_sale",
                "ticket_opened_at": _at(WALL),
            }
        ],  # fmt: skip
        "order_facts": [
            {
                "shop_id": "s1",
                "order_id": "o1",
                "order_no": "NO-o1",
                "customer_id": "c1",
                "buyer_name": "李雷",
                "total": Decimal("1234567.89"),
                "currency": "CNY",
                "carrier": None,
                "tracking_no": None,
                "placed_at": _at(WALL, 200),
                "paid_at": _at(WALL, 300),
                "paid_amount": Decimal("19.99"),
                "cancelled_at": None,
                "reminder_sent_at": None,
                "delivered_at": _at(SHOP, 5 * 86400),
                "updated_at": _at(WALL, 300),
            }
        ],  # fmt: skip
        "disputes": [
            {
                "id": "d1",
                "shop_id": "s1",
                "ticket_id": "t1",
                "order_id": "o1",
                "order_no": "NO-o1",
                "customer_id": "c1",
                "reason": "damaged",
                "amount_requested": Decimal("80.07"),
                "currency": "CNY",
                "buyer_evidence": "[]",
                "status": "ruled",
                "opened_at": _at(SHOP, 500),
                "respond_by": _at(SHOP, 500 + 72 * 3600),
                "escalate_at": _at(SHOP, 500 + 5 * 86400),
                "seller_responded_at": None,
                "proposal_kind": "partial_refund",
                "proposal_amount": Decimal("0.07"),
                "seller_evidence": "[]",
                "proposal_note": "",
                "proposed_by": "a1",
                "buyer_decision": None,
                "buyer_comment": None,
                "escalated_at": None,
                "escalation_reason": None,
                "outcome": "split",
                "refund_amount": Decimal("40.04"),
                "with_return": False,
                "ruling_reason": "both_gave_evidence",
                "ruled_at": None,
            }
        ],  # fmt: skip
    }


def _database_at_previous_revision(url: str) -> None:
    engine = create_engine(url)
    try:
        command.upgrade(alembic_config(engine, [MIGRATIONS]), "tickets_0001")
        tables = MetaData()
        tables.reflect(engine)
        sqlite = engine.dialect.name == "sqlite"
        with engine.begin() as conn:
            for name, rows in _old_rows().items():
                if sqlite:  # the old UtcDateTime stored naive UTC on SQLite
                    rows = [{k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in row.items()}
                            for row in rows]  # fmt: skip
                conn.execute(insert(tables.tables[name]), rows)
    finally:
        engine.dispose()


@pytest.mark.fresh_databases
def test_an_old_database_upgrades_with_times_and_amounts_moved(stack):
    _database_at_previous_revision(stack.database_url("tickets"))
    deliver(stack, "shop.opened", "s1", {"shop_id": "s1", "name": "老店", "platform": "taobao", "currency": "CNY",
                                         "clock": {"wall_anchor": WALL, "sim_anchor": SHOP, "speed": 1.0,
                                                   "paused": False, "version": 1}})  # fmt: skip
    with stack.runtime("tickets").db.reading() as session:  # the app migrated the database to the newest revision
        ticket = session.get(Ticket, "t1")
        assert (ticket.opened_wall_at, ticket.opened_at) == (WALL, SHOP)
        assert (ticket.updated_wall_at, ticket.first_replied_wall_at) == (WALL + timedelta(seconds=90),
                                                                          WALL + timedelta(seconds=40))  # fmt: skip
        assert (ticket.resolved_wall_at, ticket.rated_wall_at, ticket.converted_wall_at) == (
            WALL + timedelta(seconds=90), WALL + timedelta(seconds=100), WALL + timedelta(seconds=300))  # fmt: skip
        assert (ticket.first_response_due_at, ticket.resolution_due_at, ticket.next_response_due_at) == (
            SHOP + timedelta(seconds=180), SHOP + timedelta(days=1), None)  # fmt: skip
        assert ticket.converted_amount_cents == 29  # 0.29 × 100 is 28.999… as a float: moved exactly
        agent = session.get(Agent, ("s1", "a1"))
        assert (agent.joined_wall_at, agent.last_assigned_wall_at) == (WALL - timedelta(seconds=60),
                                                                       WALL + timedelta(seconds=1))  # fmt: skip
        assert session.scalar(select(Message.created_wall_at)) == WALL
        assert session.execute(select(Message.event_code, Message.event_params)).one() == (None, None)  # its text
        assert session.execute(select(ReplyRound.started_wall_at, ReplyRound.replied_wall_at)).one() == (
            WALL, WALL + timedelta(seconds=40))  # fmt: skip
        assert session.execute(select(SlaBreach.ticket_opened_wall_at, SlaBreach.due_at)).one() == (
            WALL, SHOP + timedelta(seconds=180))  # fmt: skip
        facts = session.get(OrderFacts, ("s1", "o1"))
        assert (facts.total_cents, facts.paid_amount_cents) == (123456789, 1999)
        assert (facts.placed_wall_at, facts.paid_wall_at, facts.delivered_at) == (
            WALL + timedelta(seconds=200), WALL + timedelta(seconds=300), SHOP + timedelta(days=5))  # fmt: skip
        dispute = session.get(Dispute, "d1")
        assert (dispute.amount_requested_cents, dispute.proposal_amount_cents, dispute.refund_amount_cents) == (
            8007, 7, 4004)  # fmt: skip
        assert (dispute.opened_at, dispute.respond_by_at) == (SHOP + timedelta(seconds=500),
                                                              SHOP + timedelta(seconds=500, hours=72))  # fmt: skip

    client = stack.client("tickets")  # and the API shows them under the names it always used
    shown = client.get("/shops/s1/tickets/t1").get_json()
    assert shown["opened_at"] == WALL.isoformat() and shown["sla"]["first_response_due"] == (
        SHOP + timedelta(seconds=180)).isoformat()  # fmt: skip
    assert shown["order"]["amount"] == "1234567.89"
    dispute = client.get("/shops/s1/disputes/d1").get_json()
    assert (dispute["amount_requested"], dispute["proposal"]["amount"], dispute["ruling"]["refund_amount"]) == (
        "80.07", "0.07", "40.04")  # fmt: skip
    assert dispute["respond_by"] == (SHOP + timedelta(seconds=500, hours=72)).isoformat()
