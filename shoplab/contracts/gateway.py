"""Events the gateway publishes: shops, their clocks, agents and instructors' injections."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shoplab.contracts.contract import Contract, contracts


class ClockSchema(Schema):
    wall_anchor = fields.AwareDateTime(required=True)
    sim_anchor = fields.AwareDateTime(required=True)
    speed = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    paused = fields.Boolean(required=True)
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class ShopOpened(Schema):
    shop_id = fields.String(required=True)
    name = fields.String(required=True)
    platform = fields.String(required=True)
    currency = fields.String(required=True)
    class_id = fields.String(load_default=None, allow_none=True)
    clock = fields.Nested(ClockSchema, required=True)


class ShopClockChanged(Schema):
    shop_id = fields.String(required=True)
    clock = fields.Nested(ClockSchema, required=True)


class AgentJoined(Schema):
    agent_id = fields.String(required=True)
    shop_id = fields.String(required=True)
    display_name = fields.String(required=True)
    skills = fields.List(fields.String(), load_default=list)


class AgentStatusChanged(Schema):
    agent_id = fields.String(required=True)
    shop_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["online", "away", "offline"]))


CONTRACTS = contracts(
    Contract("shop.opened", ShopOpened, description="a shop was opened with its platform profile and clock"),
    Contract("shop.clock_changed", ShopClockChanged, description="a shop's simulated clock was started/paused/sped"),
    Contract("agent.joined", AgentJoined, description="a student (agent) was given a seat in a shop"),
    Contract("agent.status_changed", AgentStatusChanged, description="an agent went online, away or offline"),
)
