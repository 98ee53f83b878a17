"""Buyer keys and the customers they act as.

A buyer key belongs to one shop. Instructors issue them (``POST /api/v1/shops/<shop_id>/buyer-keys``) for themselves
and for the simulator (``python -m gateway.buyer_keys <shop_id>`` prints one); students never get one. The key is
shown once; only its SHA-256 is kept. A key authenticates the buyer API only (``/api/v1/buyer/shops/<shop_id>/...``)
and never reaches an agent's action.

Every buyer call is made as one named customer of the shop: registered once with ``PUT .../customers/<customer_id>``
(name, country, time zone, language) and then named by the ``X-Customer-Id`` header. The gateway fills the buyer's
details (order placement, a first message) from that record, and fences what the customer sees to their own orders,
conversations and disputes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import BuyerCustomer, BuyerKey, Shop
from shoplab.errors import NotFound

PREFIX = "bk_"


@dataclass(frozen=True)
class BuyerKeyIdentity:
    key_id: str
    shop_id: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(session: Session, shop_id: str, *, label: str, issued_by: str | None) -> tuple[str, BuyerKey]:
    """A new key for the shop: the key itself (shown once) and its row."""
    if session.get(Shop, shop_id) is None:
        raise NotFound(f"no shop {shop_id}", {"shop_id": ["unknown shop"]})
    key = PREFIX + secrets.token_urlsafe(32)
    row = BuyerKey(
        id=uuid.uuid4().hex[:12],
        shop_id=shop_id,
        key_hash=_digest(key),
        label=label,
        issued_by=issued_by,
        created_wall_at=datetime.now(UTC),
        revoked_wall_at=None,
    )
    session.add(row)
    return key, row


def identify(session: Session, key: str) -> BuyerKeyIdentity | None:
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    row = session.execute(
        select(BuyerKey.id, BuyerKey.shop_id).where(
            BuyerKey.key_hash == _digest(key), BuyerKey.revoked_wall_at.is_(None)
        )
    ).first()
    return BuyerKeyIdentity(row[0], row[1]) if row else None


def listing(session: Session, shop_id: str) -> list[BuyerKey]:
    return list(session.scalars(select(BuyerKey).where(BuyerKey.shop_id == shop_id).order_by(BuyerKey.created_wall_at)))


def revoke(session: Session, shop_id: str, key_id: str) -> BuyerKey:
    row = session.get(BuyerKey, key_id)
    if row is None or row.shop_id != shop_id:
        raise NotFound(f"no buyer key {key_id}", {"key_id": ["unknown key"]})
    if row.revoked_wall_at is None:
        row.revoked_wall_at = datetime.now(UTC)
    return row


def save_customer(session: Session, shop_id: str, customer_id: str, details: dict) -> tuple[BuyerCustomer, bool]:
    """Register the customer, or update their details; True when new."""
    row = session.get(BuyerCustomer, (shop_id, customer_id))
    created = row is None
    if row is None:
        row = BuyerCustomer(shop_id=shop_id, customer_id=customer_id, created_wall_at=datetime.now(UTC), **details)
        session.add(row)
    else:
        for name, value in details.items():
            setattr(row, name, value)
    return row, created


def customer(session: Session, shop_id: str, customer_id: str | None) -> BuyerCustomer:
    row = session.get(BuyerCustomer, (shop_id, customer_id)) if customer_id else None
    if row is None:
        raise NotFound(
            "name a registered customer of this shop in the X-Customer-Id header",
            {"X-Customer-Id": ["unknown customer; register it with PUT .../customers/<customer_id>"]},
        )
    return row


def main(argv: list[str] | None = None) -> None:
    """``python -m gateway.buyer_keys <shop_id> [label]``: issue a buyer key (for the simulator) and print it."""
    import sys

    from gateway.service import SPEC
    from shoplab.plumbing.runtime import ServiceRuntime

    args = sys.argv[1:] if argv is None else argv
    if not args:
        raise SystemExit("usage: python -m gateway.buyer_keys <shop_id> [label]")
    runtime = ServiceRuntime(SPEC)
    runtime.migrate()
    with runtime.db.writing() as session:
        key, _ = issue(session, args[0], label=args[1] if len(args) > 1 else "simulator", issued_by=None)
    print(key)


if __name__ == "__main__":
    main()
