from __future__ import annotations

import pytest


@pytest.fixture
def teacher(stack):
    """Headers of the demo instructor, who may open shops in the gateway."""
    return stack.sign_in()
