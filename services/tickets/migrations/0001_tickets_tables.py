"""Tickets tables: agents, queue settings, tickets, messages, reply rounds, SLA breaches, order facts, phrases and
their usage, disputes.

Revision ID: tickets_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shoplab.dbtypes import UtcDateTime

revision = "tickets_0001"
down_revision = None
branch_labels = ("tickets",)
depends_on = "bus_0001"


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("skills", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("max_open", sa.Integer(), nullable=True),
        sa.Column("last_assigned_at", UtcDateTime(), nullable=True),
        sa.Column("status_changed_at", UtcDateTime(), nullable=True),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "agent_id"),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("amount_requested", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("buyer_evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("respond_by", UtcDateTime(), nullable=False),
        sa.Column("escalate_at", UtcDateTime(), nullable=False),
        sa.Column("seller_responded_at", UtcDateTime(), nullable=True),
        sa.Column("proposal_kind", sa.String(length=20), nullable=True),
        sa.Column("proposal_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("seller_evidence", sa.Text(), nullable=False),
        sa.Column("proposal_note", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=True),
        sa.Column("buyer_decision", sa.String(length=10), nullable=True),
        sa.Column("buyer_comment", sa.Text(), nullable=True),
        sa.Column("escalated_at", UtcDateTime(), nullable=True),
        sa.Column("escalation_reason", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("refund_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("with_return", sa.Boolean(), nullable=False),
        sa.Column("ruling_reason", sa.String(length=60), nullable=True),
        sa.Column("ruled_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_id", "order_id", name="uq_disputes_order"),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_status", ["shop_id", "status", "escalate_at"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("phrase_id", sa.Integer(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_ticket", ["shop_id", "ticket_id", "id"], unique=False)

    op.create_table(
        "order_facts",
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=True),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("tracking_no", sa.String(length=80), nullable=True),
        sa.Column("placed_at", UtcDateTime(), nullable=True),
        sa.Column("paid_at", UtcDateTime(), nullable=True),
        sa.Column("paid_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("cancelled_at", UtcDateTime(), nullable=True),
        sa.Column("reminder_sent_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "order_id"),
    )
    with op.batch_alter_table("order_facts", schema=None) as batch_op:
        batch_op.create_index("ix_order_facts_customer", ["shop_id", "customer_id"], unique=False)

    op.create_table(
        "phrase_usage",
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("phrase_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "phrase_id", "agent_id"),
    )
    op.create_table(
        "phrases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("grp", sa.String(length=20), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phrases", schema=None) as batch_op:
        batch_op.create_index("ix_phrases_shop", ["shop_id", "id"], unique=False)

    op.create_table(
        "queue_settings",
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("routing_mode", sa.String(length=20), nullable=True),
        sa.Column("per_agent_cap", sa.Integer(), nullable=True),
        sa.Column("first_response_seconds", sa.Integer(), nullable=True),
        sa.Column("next_response_seconds", sa.Integer(), nullable=True),
        sa.Column("resolution_seconds", sa.Integer(), nullable=True),
        sa.Column("response_rate_within_seconds", sa.Integer(), nullable=True),
        sa.Column("welcome", sa.Text(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id"),
    )
    op.create_table(
        "reply_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("grp", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("replied_at", UtcDateTime(), nullable=True),
        sa.Column("reply_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reply_rounds", schema=None) as batch_op:
        batch_op.create_index("ix_rounds_agent", ["shop_id", "agent_id", "started_at"], unique=False)
        batch_op.create_index(
            "ix_rounds_period", ["shop_id", "started_at", "is_first", "reply_seconds", "grp", "agent_id"], unique=False
        )
        batch_op.create_index("ix_rounds_ticket", ["shop_id", "ticket_id", "seq"], unique=False)

    op.create_table(
        "sla_breaches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("detected_at", UtcDateTime(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("grp", sa.String(length=20), nullable=False),
        sa.Column("ticket_opened_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_breaches_period",
            ["shop_id", "ticket_opened_at", "target", "ticket_id", "agent_id", "grp"],
            unique=False,
        )
        batch_op.create_index("ix_breaches_ticket", ["shop_id", "ticket_id"], unique=False)

    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("shop_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grp", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("buyer_name", sa.String(length=200), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("order_no", sa.String(length=64), nullable=True),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        sa.Column("served_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("opened_sim_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("first_replied_at", UtcDateTime(), nullable=True),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("resolution_seconds", sa.Float(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("round_count", sa.Integer(), nullable=False),
        sa.Column("awaiting_reply", sa.Boolean(), nullable=False),
        sa.Column("first_response_due", UtcDateTime(), nullable=True),
        sa.Column("next_response_due", UtcDateTime(), nullable=True),
        sa.Column("resolution_due", UtcDateTime(), nullable=True),
        sa.Column("paused_at", UtcDateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("first_response_breached", sa.Boolean(), nullable=False),
        sa.Column("next_response_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("breach_count", sa.Integer(), nullable=False),
        sa.Column("csat_score", sa.Integer(), nullable=True),
        sa.Column("csat_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", UtcDateTime(), nullable=True),
        sa.Column("converted_at", UtcDateTime(), nullable=True),
        sa.Column("converted_order_id", sa.String(length=64), nullable=True),
        sa.Column("converted_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_id", "source_ref", name="uq_tickets_source_ref"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_customer", ["shop_id", "customer_id", "opened_at"], unique=False)
        batch_op.create_index(
            "ix_tickets_opened",
            ["shop_id", "opened_at", "kind", "grp", "customer_id", "served_by", "converted_at", "converted_amount"],
            unique=False,
        )
        batch_op.create_index("ix_tickets_order", ["shop_id", "order_id"], unique=False)
        batch_op.create_index("ix_tickets_queue", ["shop_id", "assignee_id", "status", "updated_at"], unique=False)
        batch_op.create_index(
            "ix_tickets_rated", ["shop_id", "rated_at", "csat_score", "resolved_by", "served_by", "grp"], unique=False
        )
        batch_op.create_index(
            "ix_tickets_resolved", ["shop_id", "resolved_at", "resolution_seconds", "resolved_by", "grp"], unique=False
        )
        batch_op.create_index("ix_tickets_status", ["shop_id", "status", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_status")
        batch_op.drop_index("ix_tickets_resolved")
        batch_op.drop_index("ix_tickets_rated")
        batch_op.drop_index("ix_tickets_queue")
        batch_op.drop_index("ix_tickets_order")
        batch_op.drop_index("ix_tickets_opened")
        batch_op.drop_index("ix_tickets_customer")

    op.drop_table("tickets")
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        batch_op.drop_index("ix_breaches_ticket")
        batch_op.drop_index("ix_breaches_period")

    op.drop_table("sla_breaches")
    with op.batch_alter_table("reply_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_rounds_ticket")
        batch_op.drop_index("ix_rounds_period")
        batch_op.drop_index("ix_rounds_agent")

    op.drop_table("reply_rounds")
    op.drop_table("queue_settings")
    with op.batch_alter_table("phrases", schema=None) as batch_op:
        batch_op.drop_index("ix_phrases_shop")

    op.drop_table("phrases")
    op.drop_table("phrase_usage")
    with op.batch_alter_table("order_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_order_facts_customer")

    op.drop_table("order_facts")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_ticket")

    op.drop_table("messages")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_status")

    op.drop_table("disputes")
    op.drop_table("agents")
