"""Agents (seats, skills, status, load) and the shop's queue settings (a scenario's overrides of its profile)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.tickets.agents import STATUSES
from services.tickets.policy import ROUTING_MODES
from shoplab.contracts.bounded import SECONDS_MAX, Integer
from shoplab.contracts.tickets import GROUPS


class AgentStatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class AgentIn(Schema):
    skills = fields.List(fields.String(validate=validate.OneOf(GROUPS)))
    max_open = Integer(allow_none=True, minimum=1, maximum=200)


class AgentOut(Schema):
    """An agent's seat (``views.AgentSeat``)."""

    agent_id = fields.String(attribute="agent.agent_id")
    display_name = fields.String(attribute="agent.display_name")
    skills = fields.List(fields.String())
    status = fields.String(attribute="agent.status")
    open_tickets = fields.Integer()
    cap = fields.Integer()
    last_assigned_at = fields.AwareDateTime(attribute="agent.last_assigned_wall_at", allow_none=True)


class SettingsIn(Schema):
    routing_mode = fields.String(allow_none=True, validate=validate.OneOf(ROUTING_MODES))
    per_agent_cap = Integer(allow_none=True, minimum=1, maximum=200)
    # a due time is the shop's clock plus these: at most a year, so it stays a date the timers can compute with
    first_response_seconds = Integer(allow_none=True, minimum=1, maximum=SECONDS_MAX)
    next_response_seconds = Integer(allow_none=True, minimum=1, maximum=SECONDS_MAX)
    resolution_seconds = Integer(allow_none=True, minimum=1, maximum=SECONDS_MAX)
    response_rate_within_seconds = Integer(allow_none=True, minimum=1, maximum=SECONDS_MAX)
    welcome = fields.Dict(
        keys=fields.String(), values=fields.String(validate=validate.Length(max=500)), allow_none=True
    )


class TargetsOut(Schema):
    first_response_seconds = fields.Integer()
    next_response_seconds = fields.Integer()
    resolution_seconds = fields.Integer()
    response_rate_within_seconds = fields.Integer()


class SettingsOut(Schema):
    """The queue policy in force (``policy.Policy``): the profile's, then the shop's overrides."""

    platform = fields.String()
    routing_mode = fields.String()
    per_agent_cap = fields.Integer()
    targets = fields.Nested(TargetsOut)
    welcome = fields.Dict(keys=fields.String(), values=fields.String())
    default_language = fields.String()
    dispute = fields.Dict()
