"""The route an owning service answers the gateway's question with: which order would an injection of this kind act
on (``shoplab/injection_targets.py``)? One factory, so the orders, tickets and reviews services answer alike; each
gives the kinds it owns and its own rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from shoplab.errors import NotFound
from shoplab.injection_targets import Target, TargetOut, TargetQuery, no_target
from shoplab.plumbing.web import db

# (session, shop id, kind, the order named or None) -> the order the rule would take, or None
FindTarget = Callable[[Session, str, str, str | None], Target | None]


def injection_targets_blueprint(kinds: Iterable[str], find: FindTarget) -> Blueprint:
    owned = frozenset(kinds)
    api = Blueprint("injection_targets", __name__, description="Which order an instructor's injection would act on")

    @api.route("/shops/<shop_id>/injection-targets/<kind>")
    class InjectionTarget(MethodView):
        @api.arguments(TargetQuery(), location="query")
        @api.response(200, TargetOut)
        def get(self, query, shop_id: str, kind: str):
            """The order an injection of ``kind`` would act on now (the one named, if it fits), read only: 409
            naming ``order_id`` with the ``needed_state`` when there is none. The gateway asks before recording an
            injection."""
            if kind not in owned:
                owners = ", ".join(sorted(owned))
                raise NotFound(f"this service takes no {kind} injection", {"kind": [f"one of {owners}"]})
            with db().reading() as session:
                found = find(session, shop_id, kind, query["order_id"])
            if found is None:
                raise no_target(kind, query["order_id"])
            return found

    return api
