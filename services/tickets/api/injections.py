"""Which order an instructor's dispute or angry buyer would be about (asked by the gateway)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets import injections
from shoplab.injection_targets import Target
from shoplab.plumbing.injection_targets_api import injection_targets_blueprint
from shoplab.shops.context import shop_context


def _find(session: Session, shop_id: str, kind: str, order_id: str | None) -> Target | None:
    return injections.target(session, shop_context(session, shop_id), kind, order_id)


injection_targets_api = injection_targets_blueprint(("dispute", "angry_message"), _find)
