"""Which order an instructor's one-star review would be written on (asked by the gateway)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.reviews import injections
from shoplab.injection_targets import Target
from shoplab.plumbing.injection_targets_api import injection_targets_blueprint
from shoplab.shops.context import shop_context


def _find(session: Session, shop_id: str, kind: str, order_id: str | None) -> Target | None:
    return injections.target(session, shop_context(session, shop_id), order_id)


injection_targets_api = injection_targets_blueprint(("one_star_review",), _find)
