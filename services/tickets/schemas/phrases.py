"""Quick phrases (快捷短语) and templates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.tickets.messages import MAX_BODY
from services.tickets.phrases import KINDS
from shoplab.contracts.tickets import GROUPS


class PhraseIn(Schema):
    kind = fields.String(load_default="phrase", validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    language = fields.String(load_default="zh", validate=validate.Length(min=2, max=10))
    group = fields.String(load_default=None, validate=validate.OneOf(GROUPS))


class PhraseOut(Schema):
    """A phrase with its usage (``views.PhraseUse``)."""

    id = fields.Integer(attribute="phrase.id")
    kind = fields.String(attribute="phrase.kind")
    title = fields.String(attribute="phrase.title")
    body = fields.String(attribute="phrase.body")
    language = fields.String(attribute="phrase.language")
    group = fields.String(attribute="phrase.grp", allow_none=True)
    placeholders = fields.List(fields.String())
    uses = fields.Integer()
    uses_by_agent = fields.Dict(keys=fields.String(), values=fields.Integer())
