"""A time zone given at the edge is an IANA name or a 422: the names zoneinfo cannot open as a file (a folder of the
zone database such as ``America``, a name longer than a file name may be) raised ``OSError`` past the schemas' check,
a 500 (found while documenting the buyer API's customers)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from gateway.schemas import CustomerIn
from services.crm.care_schedule import zone
from shoplab.contracts.orders import BuyerSchema

NOT_ZONES = ["America", "__pycache__", "a" * 300, "Asia/../Asia/Shanghai", ""]
CUSTOMER = {"customer_id": "c1", "name": "王小明", "country": "CN", "language": "zh"}


@pytest.mark.parametrize("schema", [CustomerIn, BuyerSchema])
@pytest.mark.parametrize("name", NOT_ZONES)
def test_a_name_that_is_not_a_zone_is_a_validation_error(schema, name):
    with pytest.raises(ValidationError) as refused:
        schema().load({**CUSTOMER, "timezone": name}, partial=False, unknown="exclude")
    assert "timezone" in refused.value.messages


@pytest.mark.parametrize("schema", [CustomerIn, BuyerSchema])
def test_a_zone_is_taken(schema):
    assert schema().load({**CUSTOMER, "timezone": "Asia/Shanghai"}, unknown="exclude")["timezone"] == "Asia/Shanghai"


@pytest.mark.parametrize("name", NOT_ZONES)
def test_care_schedules_fall_back_to_utc(name):
    assert zone(name).key == "UTC"
