"""The event envelope of DESIGN.md and its validation against the payload contracts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from shoplab.contracts import CATALOGUE

EVENT_TYPE = validate.Regexp(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$", error="must look like noun.past_tense")


class EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=EVENT_TYPE)
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    shop_id = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, validate=validate.Length(min=1))
    payload = fields.Dict(required=True)


class InvalidEvent(Exception):
    """An envelope or payload that does not validate: it is refused and kept, never dropped."""

    def __init__(self, reason: str, fields: dict | None = None) -> None:
        super().__init__(f"{reason}: {fields}" if fields else reason)
        self.reason = reason
        self.fields = fields or {}


@dataclass(frozen=True)
class Event:
    type: str
    shop_id: str | None
    source: str
    payload: dict[str, Any]
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_message(self) -> dict[str, Any]:
        """The JSON-ready form that travels on the queues."""
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "shop_id": self.shop_id,
            "source": self.source,
            "payload": self.payload,
        }


_ENVELOPE = EnvelopeSchema()
_PAYLOADS: dict[str, Schema] = {}  # built once per event type: building a schema costs more than loading with it


def _payload_schema(event_type: str) -> Schema:
    if event_type not in _PAYLOADS:
        _PAYLOADS[event_type] = CATALOGUE[event_type].schema()
    return _PAYLOADS[event_type]


def make_event(event_type: str, *, shop_id: str | None, source: str, payload: dict[str, Any]) -> Event:
    """Build an event whose payload is checked against its contract (raises InvalidEvent)."""
    contract = CATALOGUE.get(event_type)
    if contract is None:
        raise InvalidEvent(f"unknown event type {event_type!r}", {"type": ["no contract for this event type"]})
    schema = _payload_schema(event_type)
    try:
        normalised = schema.dump(schema.load(payload))
    except ValidationError as exc:
        raise InvalidEvent(f"payload of {event_type} does not validate", _as_dict(exc.messages)) from exc
    return Event(type=event_type, shop_id=shop_id, source=source, payload=normalised, version=contract.version)


def parse_message(message: Any) -> Event:
    """Check a received message: the envelope, a known type and version, and the payload's contract."""
    if not isinstance(message, dict):
        raise InvalidEvent("the envelope is not a JSON object")
    try:
        data = _ENVELOPE.load(message)
    except ValidationError as exc:
        raise InvalidEvent("the envelope does not validate", _as_dict(exc.messages)) from exc
    contract = CATALOGUE.get(data["type"])
    if contract is None:
        raise InvalidEvent(f"unknown event type {data['type']!r}", {"type": ["no contract for this event type"]})
    if data["version"] != contract.version:
        raise InvalidEvent(
            f"unsupported version {data['version']} of {data['type']}",
            {"version": [f"this service reads version {contract.version}"]},
        )
    try:
        payload = _payload_schema(data["type"]).load(data["payload"])
    except ValidationError as exc:
        raise InvalidEvent(f"payload of {data['type']} does not validate", _as_dict(exc.messages)) from exc
    return Event(
        id=str(data["id"]),
        type=data["type"],
        version=data["version"],
        occurred_at=data["occurred_at"],
        shop_id=data["shop_id"],
        source=data["source"],
        payload=payload,
    )


def _as_dict(messages: Any) -> dict:
    return messages if isinstance(messages, dict) else {"_schema": messages}
