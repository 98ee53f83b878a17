"""The queue as an agent's screen shows it (``queue_rows.py``): a tab's rows with their last message and waiting
time, and every tab's count."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.tickets.queue_rows import TABS
from services.tickets.schemas.conversation import MessageOut, TicketOut
from services.tickets.ticket_state import STATUSES
from shoplab.contracts.bounded import Integer
from shoplab.contracts.tickets import KINDS


class QueueQuery(Schema):
    status = fields.List(fields.String(validate=validate.OneOf([*STATUSES, "active"])), load_default=list)
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    tab = fields.String(
        load_default="all",
        validate=validate.OneOf(TABS),
        metadata={"description": "which rows: the agent's, the unassigned, all, or the agent's and the unassigned"},
    )
    agent = fields.String(
        load_default=None, validate=validate.Length(max=64), metadata={"description": "whose 'mine' it is"}
    )
    limit = Integer(load_default=50, minimum=1, maximum=500)


class QueueCountsOut(Schema):
    all = fields.Integer()
    unassigned = fields.Integer()
    mine = fields.Integer(metadata={"description": "0 without an agent"})


class QueueRowOut(TicketOut):
    last_message = fields.Nested(
        MessageOut, allow_none=True, metadata={"description": "the last message people wrote, else the last word"}
    )
    waiting_since = fields.AwareDateTime(
        allow_none=True, metadata={"description": "wall clock: the unanswered round's start, while the buyer waits"}
    )


class QueueOut(Schema):
    counts = fields.Nested(QueueCountsOut)
    items = fields.List(fields.Nested(QueueRowOut))
