"""The tickets service's tables. Every row carries its shop_id; every index starts with it.

Every time column names its clock (HELPERS.md, "Time"): ``*_at`` is the shop's simulated clock (the business
calendar: SLA due times, the pause, dispute windows, delivery), ``*_wall_at`` is the wall clock (people's time:
messages, reply rounds and every reply-time metric, assignments, audit stamps). Money is integer minor units in
``*_cents`` columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shoplab.dbtypes import UtcDateTime


class Base(DeclarativeBase):
    pass


class Agent(Base):
    """A student seated in a shop (``agent.joined``)."""

    __tablename__ = "agents"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[str] = mapped_column(String(200), default="")  # comma-separated groups; empty = every group
    status: Mapped[str] = mapped_column(String(10), default="offline")  # online | away | offline
    max_open: Mapped[int | None] = mapped_column(Integer)  # this agent's own cap, else the shop's
    last_assigned_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_changed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    joined_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QueueSettings(Base):
    """A shop's overrides of its platform profile: routing, SLA targets (a scenario's), welcome messages."""

    __tablename__ = "queue_settings"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    routing_mode: Mapped[str | None] = mapped_column(String(20))
    per_agent_cap: Mapped[int | None] = mapped_column(Integer)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    next_response_seconds: Mapped[int | None] = mapped_column(Integer)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer)
    response_rate_within_seconds: Mapped[int | None] = mapped_column(Integer)
    welcome: Mapped[str | None] = mapped_column(Text)  # JSON {language: text}
    updated_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    grp: Mapped[str] = mapped_column(String(20))  # skill group: pre_sale | after_sale
    status: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(30))  # buyer, or the event type that opened it
    source_ref: Mapped[str | None] = mapped_column(String(120))  # one task per thing in the world
    customer_id: Mapped[str | None] = mapped_column(String(64))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[str | None] = mapped_column(String(64))
    order_no: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    served_by: Mapped[str | None] = mapped_column(String(64))  # the agent of the first human reply
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    opened_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the metrics' period and resolution time
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the same moment on the shop's clock
    updated_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_replied_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)  # wall seconds
    resolved_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_seconds: Mapped[float | None] = mapped_column(Float)  # wall seconds
    closed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    round_count: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # pending on the buyer since (SLA clock stops)
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # shop seconds
    first_response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    next_response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    breach_count: Mapped[int] = mapped_column(Integer, default=0)
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(Text)
    rated_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    converted_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the buyer's order was paid
    converted_order_id: Mapped[str | None] = mapped_column(String(64))
    converted_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    # a task pointless after this moment (a holiday greeting at the end of the customer's day): shop time
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("shop_id", "source_ref", name="uq_tickets_source_ref"),
        Index("ix_tickets_queue", "shop_id", "assignee_id", "status", "updated_wall_at"),
        Index("ix_tickets_status", "shop_id", "status", "updated_wall_at"),
        # covering indexes of the metrics: a month of a shop is read from the index alone
        Index(
            "ix_tickets_opened",
            "shop_id",
            "opened_wall_at",
            "kind",
            "grp",
            "customer_id",
            "served_by",
            "converted_wall_at",
            "converted_amount_cents",
        ),  # fmt: skip
        Index("ix_tickets_resolved", "shop_id", "resolved_wall_at", "resolution_seconds", "resolved_by", "grp"),
        Index("ix_tickets_rated", "shop_id", "rated_wall_at", "csat_score", "resolved_by", "served_by", "grp"),
        Index("ix_tickets_customer", "shop_id", "customer_id", "opened_wall_at"),
        Index("ix_tickets_order", "shop_id", "order_id"),
        Index("ix_tickets_expiry", "shop_id", "expires_at"),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(10))  # buyer | agent | system
    kind: Mapped[str] = mapped_column(String(12))  # message | auto_reply | note | event
    agent_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    phrase_id: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[str | None] = mapped_column(Text)  # JSON list of the platform rules it warned about
    # a system event as data (services/tickets/system_events.py), so a page can say it in its own language;
    # null on other messages and on events written before codes existed
    event_code: Mapped[str | None] = mapped_column(String(40))
    event_params: Mapped[str | None] = mapped_column(Text)  # JSON object

    __table_args__ = (Index("ix_messages_ticket", "shop_id", "ticket_id", "id"),)


class ReplyRound(Base):
    """One buyer-message round: from the oldest unanswered buyer message to the first human reply (wall clock).

    Kept when the ticket changes so that the reply-time metrics are aggregates over indexed columns.
    """

    __tablename__ = "reply_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(32))
    grp: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    is_first: Mapped[bool] = mapped_column(Boolean)
    agent_id: Mapped[str | None] = mapped_column(String(64))  # who replied, else who holds the ticket
    started_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replied_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reply_seconds: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_rounds_period", "shop_id", "started_wall_at", "is_first", "reply_seconds", "grp", "agent_id"),
        Index("ix_rounds_agent", "shop_id", "agent_id", "started_wall_at"),
        Index("ix_rounds_ticket", "shop_id", "ticket_id", "seq"),
    )


class SlaBreach(Base):
    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(20))  # first_response | next_response | resolution
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    grp: Mapped[str] = mapped_column(String(20))
    ticket_opened_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the metrics' period is the ticket's

    __table_args__ = (
        Index("ix_breaches_ticket", "shop_id", "ticket_id"),
        Index("ix_breaches_period", "shop_id", "ticket_opened_wall_at", "target", "ticket_id", "agent_id", "grp"),
    )


class OrderFacts(Base):
    """What the queue learned of an order from the orders service's events (any order of arrival).

    The moments of the buyer's actions are kept on the wall clock (``*_wall_at``, the events' ``occurred_at``):
    inquiry conversion compares them with the wall-clock opening of the buyer's pre-sale tickets, and on a paused
    shop clock two different moments would read the same. Delivery is the parcel's shop time, from the payload."""

    __tablename__ = "order_facts"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    total_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_no: Mapped[str | None] = mapped_column(String(80))
    placed_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminder_sent_wall_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a blacklisted buyer's order (crm's customer.flagged_order): the warning every ticket about it shows
    blacklist_warning: Mapped[str | None] = mapped_column(Text)
    blacklist_params: Mapped[str | None] = mapped_column(Text)  # the warning's params (JSON), for the page's language
    updated_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_order_facts_customer", "shop_id", "customer_id"),)


class ReviewFacts(Base):
    """What the queue learned of a neutral/negative review from the reviews service's events, in any order: a
    revision, removal or closed window that overtook the posting keeps its follow-up task from opening stale."""

    __tablename__ = "review_facts"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    review_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settled_reason: Mapped[str | None] = mapped_column(String(40))  # why its follow-up is over, if it is
    revision_note: Mapped[str | None] = mapped_column(Text)  # a revision down (or to the same stars), for the task
    revision_params: Mapped[str | None] = mapped_column(Text)  # the note's params (JSON), for the page's language
    updated_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Phrase(Base):
    """A quick phrase (快捷短语) or a longer template, with {placeholders} filled from the ticket's order."""

    __tablename__ = "phrases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # phrase | template
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    grp: Mapped[str | None] = mapped_column(String(20))
    created_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_phrases_shop", "shop_id", "id"),)


class PhraseUsage(Base):
    __tablename__ = "phrase_usage"

    shop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    phrase_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    last_used_wall_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Dispute(Base):
    """A buyer's dispute on an order; every time here is on the shop's clock, like its windows."""

    __tablename__ = "disputes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))
    amount_requested_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    buyer_evidence: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    respond_by_at: Mapped[datetime] = mapped_column(UtcDateTime)
    escalate_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seller_responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    proposal_kind: Mapped[str | None] = mapped_column(String(20))
    proposal_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    seller_evidence: Mapped[str] = mapped_column(Text, default="[]")
    proposal_note: Mapped[str | None] = mapped_column(Text)
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    buyer_decision: Mapped[str | None] = mapped_column(String(10))
    buyer_comment: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(10))
    refund_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    with_return: Mapped[bool] = mapped_column(Boolean, default=False)
    ruling_reason: Mapped[str | None] = mapped_column(String(60))
    ruled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("shop_id", "order_id", name="uq_disputes_order"),
        Index("ix_disputes_status", "shop_id", "status", "escalate_at"),
    )
