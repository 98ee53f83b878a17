"""Opening shops and running their clocks. Each change publishes its event in the same transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from gateway.models import Shop
from shoplab.errors import InvalidInput, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.shops.clock import ShopClock
from shoplab.shops.profiles import UnknownPlatform, load_profile, platform_codes


def open_shop(
    session: Session,
    *,
    name: str,
    platform: str,
    class_id: str | None = None,
    created_by: str | None = None,
    speed: float = 1.0,
    team: str | None = None,
) -> Shop:
    try:
        profile = load_profile(platform)
    except UnknownPlatform as exc:
        raise InvalidInput(
            f"unknown platform {platform!r}", {"platform": [f"one of {', '.join(platform_codes())}"]}
        ) from exc
    now = datetime.now(UTC)
    shop = Shop(
        id=uuid.uuid4().hex[:12],
        name=name,
        platform=platform,
        currency=profile["currency"],
        class_id=class_id,
        team=team,
        created_by=created_by,
        created_wall_at=now,
    )
    shop.clock = ShopClock.started(now, speed=speed)
    session.add(shop)
    publish(
        session,
        "shop.opened",
        shop_id=shop.id,
        payload={
            "shop_id": shop.id,
            "name": shop.name,
            "platform": shop.platform,
            "currency": shop.currency,
            "class_id": class_id,
            "clock": shop.clock.to_dict(),
        },
    )
    return shop


def change_clock(
    session: Session,
    shop_id: str,
    *,
    speed: float | None = None,
    paused: bool | None = None,
    advance_seconds: float = 0,
) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound(f"no shop {shop_id}", {"shop_id": ["unknown shop"]})
    try:
        shop.clock = shop.clock.changed(speed=speed, paused=paused, advance=timedelta(seconds=advance_seconds))
    except ValueError as exc:
        raise InvalidInput(str(exc), {"speed" if "speed" in str(exc) else "advance_seconds": [str(exc)]}) from exc
    publish(
        session,
        "shop.clock_changed",
        shop_id=shop.id,
        payload={"shop_id": shop.id, "clock": shop.clock.to_dict()},
    )
    return shop
