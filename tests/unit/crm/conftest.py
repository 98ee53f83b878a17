"""Fakes for the crm rules: a customer with the facts rules read, and the profiles' crm settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from services.crm.crm_profile import crm_settings
from shoplab.shops.profiles import load_profile


@dataclass
class FakeCustomer:
    frequency: int = 0
    monetary_cents: int = 0
    orders: int = 0
    paid_orders: int = 0
    paid_cents: int = 0
    refunded_orders: int = 0
    returns: int = 0
    disputes: int = 0
    disputes_lost: int = 0
    reviews: int = 0
    stars_total: int = 0
    negative_reviews: int = 0
    conversations: int = 0
    csat_ratings: int = 0
    csat_total: int = 0
    blacklisted: bool = False
    first_purchase_at: datetime | None = None
    last_purchase_at: datetime | None = None
    first_order_at: datetime | None = None
    country: str | None = None
    timezone: str | None = None
    greeting_due_at: datetime | None = None
    win_back_due_at: datetime | None = None


@pytest.fixture
def taobao():
    return crm_settings(load_profile("taobao"))


@pytest.fixture
def amazon():
    return crm_settings(load_profile("amazon"))
