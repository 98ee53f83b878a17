"""The simulator's tests against the real gateway: the apps served on their ports, the workers that carry the
events between them, and one way to call the gateway that fails with the answer it got."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.gateway.conftest import ServedApps


@pytest.fixture
def shop_world(stack):
    apps = ServedApps(stack)
    for name in ("gateway", "orders", "tickets", "reviews"):
        apps.serve(name)
    stack.start_workers(["gateway", "orders", "tickets"])
    yield stack
    apps.close()


def call(client, method: str, path: str, headers: dict, expect: int | tuple = (200, 201), **kw: Any) -> Any:
    response = client.open(path, method=method, headers=headers, **kw)
    expected = (expect,) if isinstance(expect, int) else expect
    assert response.status_code in expected, (method, path, response.status_code, response.get_json())
    return response.get_json()
