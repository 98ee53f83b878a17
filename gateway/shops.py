"""Opening shops and running their clocks. Each change publishes its event in the same transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Shop, ShopClockChange
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
    session.flush()
    _remember(session, shop)
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
    _remember(session, shop)
    publish(
        session,
        "shop.clock_changed",
        shop_id=shop.id,
        payload={"shop_id": shop.id, "clock": shop.clock.to_dict()},
    )
    return shop


def _remember(session: Session, shop: Shop) -> None:
    clock = shop.clock
    session.add(
        ShopClockChange(
            shop_id=shop.id,
            version=clock.version,
            wall_anchor=clock.wall_anchor,
            sim_anchor=clock.sim_anchor,
            speed=clock.speed,
            paused=clock.paused,
        )
    )


def clock_history(session: Session, shop_id: str) -> list[ShopClock]:
    """The shop's clocks, oldest first (each ran from its anchors until the next one)."""
    rows = session.scalars(
        select(ShopClockChange).where(ShopClockChange.shop_id == shop_id).order_by(ShopClockChange.version)
    ).all()
    return [ShopClock(r.wall_anchor, r.sim_anchor, r.speed, r.paused, r.version) for r in rows]


def wall_time_of(history: list[ShopClock], shop_time: datetime) -> datetime | None:
    """When, on the wall clock, the shop's calendar showed ``shop_time``: by the clock that ran then (a paused
    clock's moments are told by the pause's start). None without a history."""
    running = None
    for clock in history:
        if clock.sim_anchor <= shop_time or running is None:
            running = clock
    if running is None:
        return None
    if running.paused:
        return running.wall_anchor
    return running.wall_anchor + (shop_time - running.sim_anchor) / running.speed
