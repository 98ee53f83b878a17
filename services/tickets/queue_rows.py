"""The queue as an agent's screen shows it, in one call: the rows of one tab with what each row shows (its last
message, since when its buyer has waited) and the counts of every tab.

Why a read model of its own: the gateway used to list up to 500 tickets and then ask each changed ticket's whole
conversation (its messages, rounds and order) to show one line of it, on every live refresh of every student. Here
the rows are the tab's alone, the counts one aggregate, and each row's last message and open round are read for
all rows at once (two grouped queries over the ``(shop_id, ticket_id, ...)`` indexes), whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from services.tickets.models import Message, ReplyRound, Ticket
from services.tickets.ticket_state import HELD

SPOKEN = ("message", "auto_reply")  # what a row quotes; a conversation without them quotes its last system word
TABS = ("mine", "unassigned", "all", "mine_or_unassigned")


@dataclass(frozen=True)
class QueueRow:
    """A ticket with its row's facts (``TicketOut``'s fields read through)."""

    ticket: Ticket
    last_message: Message | None
    waiting_since: datetime | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ticket, name)


def _filters(shop_id: str, query: dict[str, Any]) -> list[ColumnElement]:
    where: list[ColumnElement] = [Ticket.shop_id == shop_id]
    statuses = set(query["status"]) or {"active"}
    if "active" in statuses:
        statuses = (statuses - {"active"}) | set(HELD)
    where.append(Ticket.status.in_(sorted(statuses)))
    if query["kind"]:
        where.append(Ticket.kind.in_(query["kind"]))
    return where


def _tab(tab: str, agent_id: str | None) -> list[ColumnElement]:
    if tab == "unassigned":
        return [Ticket.assignee_id.is_(None)]
    if tab == "mine":
        return [Ticket.assignee_id == agent_id] if agent_id else [false()]  # no one signed in: nothing is theirs
    if tab == "mine_or_unassigned" and agent_id:
        return [Ticket.assignee_id.is_(None) | (Ticket.assignee_id == agent_id)]
    return []


def queue_rows(session: Session, shop_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """The tab's rows (newest activity first, at most ``limit``) and every tab's count."""
    where = _filters(shop_id, query)
    agent_id = query["agent"]
    mine = func.coalesce(func.sum(case((Ticket.assignee_id == agent_id, 1), else_=0)), 0) if agent_id else None
    counted = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Ticket.assignee_id.is_(None), 1), else_=0)), 0),
            *([mine] if mine is not None else []),
        ).where(*where)
    ).one()
    counts = {"all": int(counted[0]), "unassigned": int(counted[1]), "mine": int(counted[2]) if agent_id else 0}
    tickets = session.scalars(
        select(Ticket)
        .where(*where, *_tab(query["tab"], agent_id))
        .order_by(Ticket.updated_wall_at.desc(), Ticket.id)
        .limit(query["limit"])
    ).all()
    ids = [t.id for t in tickets]
    last = _last_messages(session, shop_id, ids)
    waiting = _waiting_since(session, shop_id, [t.id for t in tickets if t.awaiting_reply])
    rows = [QueueRow(t, last.get(t.id), waiting.get(t.id)) for t in tickets]
    return {"counts": counts, "items": rows}


def _last_messages(session: Session, shop_id: str, ticket_ids: list[str]) -> dict[str, Message]:
    """Each ticket's last spoken message, else its last message of any kind (as the conversation ends)."""
    if not ticket_ids:
        return {}
    latest = (
        select(func.coalesce(func.max(case((Message.kind.in_(SPOKEN), Message.id))), func.max(Message.id)).label("id"))
        .where(Message.shop_id == shop_id, Message.ticket_id.in_(ticket_ids))
        .group_by(Message.ticket_id)
        .scalar_subquery()
    )
    found = session.scalars(select(Message).where(Message.shop_id == shop_id, Message.id.in_(latest))).all()
    return {m.ticket_id: m for m in found}


def _waiting_since(session: Session, shop_id: str, ticket_ids: list[str]) -> dict[str, datetime]:
    """Since when the buyer of each awaiting ticket has waited: its last round's start, while unanswered."""
    if not ticket_ids:
        return {}
    last_seq = (
        select(ReplyRound.ticket_id, func.max(ReplyRound.seq).label("seq"))
        .where(ReplyRound.shop_id == shop_id, ReplyRound.ticket_id.in_(ticket_ids))
        .group_by(ReplyRound.ticket_id)
        .subquery()
    )
    rows = session.execute(
        select(ReplyRound.ticket_id, ReplyRound.started_wall_at, ReplyRound.replied_wall_at).join(
            last_seq,
            and_(
                ReplyRound.shop_id == shop_id,
                ReplyRound.ticket_id == last_seq.c.ticket_id,
                ReplyRound.seq == last_seq.c.seq,
            ),
        )
    ).all()
    return {tid: started for tid, started, replied in rows if replied is None}
