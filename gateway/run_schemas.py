"""Request and response bodies of scenario runs, reply assessments and the simulator's reports (issue 13), so the
API document shows them as they are sent (``gateway/runs_api.py``).

Numbers are bounded where they come in (``shoplab.contracts.bounded``): a report's counts go to integer columns, its
moments to date columns, and nothing past the edge meets a value its column cannot hold."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.scenario_runs import CONTROLS
from shoplab.contracts.bounded import DateTime, Flag, Integer

SPEED = validate.Range(min=0.1, max=10000)
Short = lambda size, **kw: fields.String(validate=validate.Length(max=size), **kw)  # noqa: E731


class ScenarioOut(Schema):
    name = fields.String(metadata={"description": "what POST .../scenario-runs takes as scenario"})
    title = fields.String()
    title_zh = fields.String()
    platforms = fields.List(fields.String(), metadata={"description": "the platforms whose shops it fits"})
    duration_seconds = fields.Integer(metadata={"description": "seconds of shop time"})
    clock_speed = fields.Float(metadata={"description": "the shop clock's speed it runs at unless told otherwise"})
    buyers = fields.Integer(allow_none=True, metadata={"description": "how many buyers it sends per shop"})


class RunStartIn(Schema):
    scenario = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "a name of GET /api/v1/scenarios that fits the shop's platform"},
    )
    seed = Integer(load_default=None, metadata={"description": "the buyers' seed (default: the scenario's)"})
    speed = fields.Float(load_default=None, validate=SPEED, metadata={"description": "default: the scenario's"})


class RunControlIn(Schema):
    speed = fields.Float(load_default=None, validate=SPEED, metadata={"description": "speed: the clock's new speed"})


ACTION_PARAMETER = {
    "in": "path",
    "name": "action",
    "required": True,
    "schema": {"type": "string", "enum": list(CONTROLS)},
    "description": "pause, resume, speed (with a body's speed) or stop",
}


class RunOut(Schema):
    id = fields.String()
    shop_id = fields.String()
    class_id = fields.String(allow_none=True)
    scenario = fields.String()
    seed = fields.Integer()
    status = fields.String(metadata={"description": "running, paused, stopped or finished"})
    speed = fields.Float()
    started_by = fields.String(allow_none=True)
    started_wall_at = fields.AwareDateTime()
    ended_wall_at = fields.AwareDateTime(allow_none=True)
    begins_at = fields.AwareDateTime(metadata={"description": "shop time"})
    ends_at = fields.AwareDateTime(metadata={"description": "shop time"})
    reached_at = fields.AwareDateTime(allow_none=True, metadata={"description": "shop time the buyers were run to"})
    progress = fields.Float(metadata={"description": "0 … 1"})
    actions = fields.Integer()
    replies = fields.Integer()
    lag_seconds = fields.Float(allow_none=True, metadata={"description": "wall seconds the buyers were behind"})
    reported_wall_at = fields.AwareDateTime(allow_none=True)


class RunClockOut(Schema):
    wall_anchor = fields.AwareDateTime()
    sim_anchor = fields.AwareDateTime()
    speed = fields.Float()
    paused = fields.Boolean()
    version = fields.Integer()


class SimulatorRunOut(RunOut):
    platform = fields.String()
    clock = fields.Nested(RunClockOut, metadata={"description": "the shop's clock, to compute its time locally"})


class RubricItemIn(Schema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=40))
    status = fields.String(required=True, validate=validate.Length(min=1, max=10))
    evidence = fields.List(fields.String(validate=validate.Length(max=20000)), load_default=list)


class RubricItemOut(Schema):
    item = fields.String(metadata={"description": "greeting, addressing, order_facts, ..., forbidden"})
    status = fields.String(metadata={"description": "pass, fail, warn or n/a"})
    evidence = fields.List(fields.String())


class ReplyAssessmentIn(Schema):
    """One assessed reply as the simulator reports it (``ReplyRecord.to_dict`` with its number in the run)."""

    seq = Integer(required=True, metadata={"description": "the reply's number in its run: sent twice, kept once"})
    buyer = fields.String(required=True, validate=validate.Length(min=1, max=64))
    journey = fields.String(required=True, validate=validate.Length(min=1, max=80))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=40))
    at = DateTime(required=True, metadata={"description": "shop time"})
    wall_at = DateTime(required=True)
    conversation_id = Short(64, load_default=None, allow_none=True)
    ref = Short(64, load_default=None, allow_none=True)
    agent_id = Short(64, load_default=None, allow_none=True)
    wait_seconds = fields.Float(load_default=None, allow_none=True, metadata={"description": "shop seconds"})
    text = fields.String(required=True, validate=validate.Length(max=20000))
    language = Short(16, load_default="")
    score = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    items = fields.List(fields.Nested(RubricItemIn), load_default=list, validate=validate.Length(max=50))


class RunReportIn(Schema):
    reached_at = DateTime(load_default=None, allow_none=True, metadata={"description": "shop time reached"})
    actions = Integer(load_default=None, metadata={"description": "every action of the run so far"})
    replies = Integer(load_default=None, metadata={"description": "every assessed reply of the run so far"})
    lag_seconds = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    finished = Flag(load_default=False, metadata={"description": "true: the run reached its end"})
    assessments = fields.List(fields.Nested(ReplyAssessmentIn), load_default=list, validate=validate.Length(max=1000))


class ReplyAssessmentQuery(Schema):
    run_id = fields.String(validate=validate.Length(max=32), metadata={"description": "one run's only"})


class ReplyAssessmentOut(Schema):
    id = fields.Integer()
    run_id = fields.String()
    shop_id = fields.String()
    buyer = fields.String()
    purpose = fields.String()
    conversation_id = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    agent_id = fields.String(allow_none=True, metadata={"description": "the student who wrote the reply"})
    replied_at = fields.AwareDateTime(metadata={"description": "shop time"})
    replied_wall_at = fields.AwareDateTime()
    wait_seconds = fields.Float(allow_none=True)
    text = fields.String()
    language = fields.String()
    score = fields.Float(metadata={"description": "0 … 1"})
    items = fields.List(fields.Nested(RubricItemOut))


class RunBuyerKeyOut(Schema):
    key = fields.String(metadata={"description": "send as 'Authorization: Bearer <key>' on the buyer API"})
    shop_id = fields.String()
