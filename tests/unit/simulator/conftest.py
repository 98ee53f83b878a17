"""Unit tests of the simulator: pure Python against the in-memory shop (``simulator.memory_shop``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from shoplab.shops.profiles import load_profile
from simulator.scenario import Scenario, parse_scenario

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def base_scenario() -> dict[str, Any]:
    return {
        "name": "unit_test",
        "title": "Unit test",
        "title_zh": "单元测试",
        "platforms": ["taobao"],
        "learning_goal": "test",
        "learning_goal_zh": "测试",
        "seed": 7,
        "duration": "2h",
        "clock_speed": 1,
        "buyers": {"count": 20},
        "order_rate": [{"at": "0m", "per_hour": 0}],
        "kpis": [{"metric": "tickets.first_response_seconds", "target": "<= 60"}],
    }


def scenario(**changes: Any) -> Scenario:
    """A small scenario: no arrivals unless ``order_rate`` says so."""
    data = base_scenario()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_scenario(yaml.safe_dump(data, allow_unicode=True), "unit_test.yaml")


@pytest.fixture
def taobao() -> dict[str, Any]:
    return load_profile("taobao")


@pytest.fixture
def aliexpress() -> dict[str, Any]:
    return load_profile("aliexpress")
