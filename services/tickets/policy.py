"""A shop's queue policy: its platform profile's targets, routing and welcome messages, with the shop's overrides.

Built once per request, event or timer tick from the shop's context (:func:`policy_for`) and passed down to the
rules beside the context, so no rule reads the profile or the overrides itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.tickets.models import QueueSettings
from shoplab.errors import InvalidInput
from shoplab.shops.context import ShopContext, shop_context

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
    targets: Targets
    routing_mode: str
    per_agent_cap: int
    welcome: dict[str, str]
    default_language: str
    forbidden_content: list[dict[str, Any]] = field(default_factory=list)
    dispute: dict[str, Any] = field(default_factory=dict)

    def welcome_for(self, language: str) -> str | None:
        return self.welcome.get(language) or self.welcome.get(self.default_language)

    @classmethod
    def of(cls, ctx: ShopContext, overrides: QueueSettings | None) -> Policy:
        """The profile's queue rules with the shop's overrides applied (a None override keeps the profile's)."""
        profile = ctx.profile
        section = profile.get("tickets", {})
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
        return cls(
            platform=ctx.shop.platform or "",
            targets=Targets(**{name: int(targets[name]) for name in TARGET_FIELDS}),
            routing_mode=routing.get("mode") or "least_loaded",
            per_agent_cap=int(routing.get("per_agent_cap") or 8),
            welcome=welcome,
            default_language=section.get("default_language", profile["languages"][0]),
            forbidden_content=profile["forbidden_content"],
            dispute=profile["dispute"],
        )


def policy_for(session: Session, ctx: ShopContext) -> Policy:
    """The shop's policy: one read of its overrides."""
    return Policy.of(ctx, session.get(QueueSettings, ctx.id))


def change_settings(session: Session, ctx: ShopContext, changes: dict[str, Any]) -> Policy:
    """Set a shop's overrides (an instructor's scenario); a None value falls back to the profile."""
    mode = changes.get("routing_mode")
    if mode is not None and mode not in ROUTING_MODES:
        raise InvalidInput("unknown routing mode", {"routing_mode": [f"one of {', '.join(ROUTING_MODES)}"]})
    settings = session.get(QueueSettings, ctx.id) or QueueSettings(shop_id=ctx.id)
    for name in (*TARGET_FIELDS, "routing_mode", "per_agent_cap"):
        if name in changes:
            setattr(settings, name, changes[name])
    if "welcome" in changes:
        settings.welcome = json.dumps(changes["welcome"] or {}, ensure_ascii=False)
    settings.updated_wall_at = ctx.wall_now
    session.add(settings)
    session.flush()
    return Policy.of(ctx, settings)


def context_and_policy(
    session: Session, shop_id: str, *, wall_now: datetime | None = None
) -> tuple[ShopContext, Policy]:
    """The shop's context (404 for a shop this service does not know) and its queue policy: what a request, an
    event or a timer tick builds once and hands to the rules."""
    ctx = shop_context(session, shop_id, wall_now=wall_now)
    return ctx, policy_for(session, ctx)
