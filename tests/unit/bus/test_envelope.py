"""The envelope of DESIGN.md: what a producer may build and what a consumer accepts."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from shoplab.eventbus.envelope import Event, InvalidEvent, make_event, parse_message
from shoplab.shops.clock import ShopClock

CLOCK = ShopClock.started(datetime(2026, 6, 18, tzinfo=UTC)).to_dict()


def opened(**payload) -> dict:
    return {"shop_id": "s1", "name": "店 Shop", "platform": "taobao", "currency": "CNY", "clock": CLOCK, **payload}


def test_an_event_travels_as_json_and_reads_back_the_same():
    event = make_event("shop.opened", shop_id="s1", source="gateway", payload=opened())
    message = json.loads(json.dumps(event.to_message()))
    assert set(message) == {"id", "type", "version", "occurred_at", "shop_id", "source", "payload"}
    assert uuid.UUID(message["id"]) and message["occurred_at"].endswith("+00:00")
    back = parse_message(message)
    assert isinstance(back, Event)
    assert (back.id, back.type, back.version) == (event.id, "shop.opened", 1)
    assert (back.shop_id, back.source) == ("s1", "gateway")
    assert back.occurred_at == event.occurred_at
    assert back.payload["clock"]["wall_anchor"] == datetime(2026, 6, 18, tzinfo=UTC)  # typed again on arrival
    assert back.payload["name"] == "店 Shop"


def test_a_producer_cannot_build_an_event_of_an_unknown_type_or_with_a_bad_payload():
    with pytest.raises(InvalidEvent) as unknown:
        make_event("shop.vanished", shop_id="s1", source="gateway", payload={})
    assert unknown.value.fields == {"type": ["no contract for this event type"]}
    with pytest.raises(InvalidEvent) as bad:
        make_event("shop.opened", shop_id="s1", source="gateway", payload=opened(name=None, surprise=1))
    assert set(bad.value.fields) == {"name", "surprise"}


def valid_message() -> dict:
    return make_event("shop.opened", shop_id="s1", source="gateway", payload=opened()).to_message()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "42"}, "id"),
        ({"type": "ShopOpened"}, "type"),
        ({"type": "opened"}, "type"),
        ({"version": 0}, "version"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"source": ""}, "source"),
        ({"payload": ["not", "a", "dict"]}, "payload"),
        ({"id": None}, "id"),
    ],
)
def test_a_consumer_refuses_a_bad_envelope_and_names_the_field(change, field):
    with pytest.raises(InvalidEvent) as refused:
        parse_message({**valid_message(), **change})
    assert refused.value.reason == "the envelope does not validate"
    assert field in refused.value.fields


@pytest.mark.parametrize("missing", ["id", "type", "version", "occurred_at", "shop_id", "source", "payload"])
def test_every_envelope_field_is_required(missing):
    message = valid_message()
    del message[missing]
    with pytest.raises(InvalidEvent) as refused:
        parse_message(message)
    assert missing in refused.value.fields


@pytest.mark.parametrize("message", ["text", 42, None, ["a"]])
def test_a_message_that_is_not_an_object_is_refused(message):
    with pytest.raises(InvalidEvent, match="not a JSON object"):
        parse_message(message)


def test_a_consumer_refuses_unknown_types_other_versions_and_bad_payloads():
    with pytest.raises(InvalidEvent, match="unknown event type 'shop.vanished'"):
        parse_message({**valid_message(), "type": "shop.vanished"})
    with pytest.raises(InvalidEvent, match="unsupported version 2") as version:
        parse_message({**valid_message(), "version": 2})
    assert "version" in version.value.fields
    message = valid_message()
    message["payload"]["clock"]["speed"] = -1
    del message["payload"]["currency"]
    with pytest.raises(InvalidEvent, match="payload of shop.opened does not validate") as payload:
        parse_message(message)
    assert set(payload.value.fields) == {"clock", "currency"}
    assert "speed" in payload.value.fields["clock"]


def test_a_naive_time_is_read_as_utc():
    message = {**valid_message(), "occurred_at": "2026-06-18T10:00:00"}
    assert parse_message(message).occurred_at == datetime(2026, 6, 18, 10, tzinfo=UTC)
