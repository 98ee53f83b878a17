"""The events the orders service handles, one line per subscribed type (its line of ``shoplab/topology.py``)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from services.orders import injections
from services.orders.catalog_seed import has_catalog, seed_catalog
from services.orders.refunds import execute_ruling
from shoplab.eventbus.consumer import Handler
from shoplab.eventbus.envelope import Event
from shoplab.shops import replica
from shoplab.shops.context import shop_context

log = logging.getLogger(__name__)


def on_shop_opened(session: Session, event: Event) -> None:
    """Keep the shop's copy, then stock it with its platform's demo catalog (so every student's shop starts the
    same)."""
    replica.on_shop_opened(session, event)
    platform = event.payload["platform"]
    if has_catalog(platform):
        seed_catalog(session, event.payload["shop_id"], platform)
    else:
        log.warning("no demo catalog for platform %s; shop %s opens empty", platform, event.payload["shop_id"])


def on_dispute_ruled(session: Session, event: Event) -> None:
    """A ruling for the buyer (or split) is executed here as a refund, once per dispute, at the shop's now."""
    execute_ruling(session, shop_context(session, event.shop_id or ""), event.payload)


def on_failed_payment_injected(session: Session, event: Event) -> None:
    injections.fail_payment(session, shop_context(session, event.shop_id or ""), event.payload)


def on_lost_parcel_injected(session: Session, event: Event) -> None:
    injections.parcel_exception(session, shop_context(session, event.shop_id or ""), event.payload, "lost")


def on_customs_hold_injected(session: Session, event: Event) -> None:
    injections.parcel_exception(session, shop_context(session, event.shop_id or ""), event.payload, "customs_hold")


HANDLERS: dict[str, Handler] = {
    "shop.opened": on_shop_opened,
    "shop.clock_changed": replica.on_shop_clock_changed,
    "dispute.ruled": on_dispute_ruled,
    "injection.failed_payment": on_failed_payment_injected,
    "injection.lost_parcel": on_lost_parcel_injected,
    "injection.customs_hold": on_customs_hold_injected,
}
