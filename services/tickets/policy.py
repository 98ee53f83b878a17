"""A shop's queue policy: its platform profile's targets, routing and welcome messages, with the shop's overrides."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.tickets.models import QueueSettings
from shoplab.errors import InvalidInput
from shoplab.shops.profiles import load_profile
from shoplab.shops.replica import get_shop

ROUTING_MODES = ("round_robin", "least_loaded")
TARGET_FIELDS = (
    "first_response_seconds",
    "next_response_seconds",
    "resolution_seconds",
    "response_rate_within_seconds",
)


@dataclass(frozen=True)
class Targets:
    first_response_seconds: int
    next_response_seconds: int
    resolution_seconds: int
    response_rate_within_seconds: int


@dataclass(frozen=True)
class Policy:
    platform: str
    market: str
    currency: str
    targets: Targets
    routing_mode: str
    per_agent_cap: int
    welcome: dict[str, str]
    default_language: str
    forbidden_content: list[dict[str, Any]] = field(default_factory=list)
    dispute: dict[str, Any] = field(default_factory=dict)

    def welcome_for(self, language: str) -> str | None:
        return self.welcome.get(language) or self.welcome.get(self.default_language)


def policy_of(session: Session, shop_id: str) -> Policy:
    shop = get_shop(session, shop_id)
    profile = load_profile(shop.platform)
    section = profile.get("tickets", {})
    overrides = session.get(QueueSettings, shop_id)
    targets = dict(profile["response_targets"])
    welcome = dict(section.get("welcome", {}))
    routing = dict(section.get("routing", {}))
    if overrides is not None:
        for name in TARGET_FIELDS:
            if getattr(overrides, name) is not None:
                targets[name] = getattr(overrides, name)
        welcome.update(json.loads(overrides.welcome or "{}"))
        routing["mode"] = overrides.routing_mode or routing.get("mode")
        routing["per_agent_cap"] = overrides.per_agent_cap or routing.get("per_agent_cap")
    return Policy(
        platform=shop.platform,
        market=profile["market"],
        currency=profile["currency"],
        targets=Targets(**{name: int(targets[name]) for name in TARGET_FIELDS}),
        routing_mode=routing.get("mode") or "least_loaded",
        per_agent_cap=int(routing.get("per_agent_cap") or 8),
        welcome=welcome,
        default_language=section.get("default_language", profile["languages"][0]),
        forbidden_content=profile["forbidden_content"],
        dispute=profile["dispute"],
    )


def change_settings(session: Session, shop_id: str, changes: dict[str, Any]) -> Policy:
    """Set a shop's overrides (an instructor's scenario); a None value falls back to the profile."""
    get_shop(session, shop_id)
    mode = changes.get("routing_mode")
    if mode is not None and mode not in ROUTING_MODES:
        raise InvalidInput("unknown routing mode", {"routing_mode": [f"one of {', '.join(ROUTING_MODES)}"]})
    settings = session.get(QueueSettings, shop_id) or QueueSettings(shop_id=shop_id)
    for name in (*TARGET_FIELDS, "routing_mode", "per_agent_cap"):
        if name in changes:
            setattr(settings, name, changes[name])
    if "welcome" in changes:
        settings.welcome = json.dumps(changes["welcome"] or {}, ensure_ascii=False)
    settings.updated_at = datetime.now(UTC)
    session.add(settings)
    session.flush()
    return policy_of(session, shop_id)
