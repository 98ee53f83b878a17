"""Instructors' injections into live shops: checked, recorded, and sent as ``injection.<kind>`` to the service that
owns the thing injected (``shoplab/contracts/injections.py``), in one transaction — the record and the event commit
together, or neither does.

The buyers' words are written here, in the language of the shop's buyers (Chinese for a Taobao-style shop, English
for a cross-border one), from the simulator's text bank, unless the instructor wrote their own. A named order is
checked with the orders service first (this shop's, in a state the kind needs), so a wrong one is refused with
nothing written; then the owning service says which order it will act on (``gateway/injection_targets.py``: the one
named if it fits, else the newest that fits), and the record and the event name that order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.injection_models import Injection
from gateway.models import Shop
from shoplab.errors import Conflict, NotFound
from shoplab.eventbus.outbox import publish
from shoplab.plumbing.internal_client import ServiceUnavailable, client_for
from shoplab.shops.profiles import load_profile
from simulator import text_bank
from simulator.population import PopulationSpec, build_persona

# the order states each kind needs (a kind not listed takes an order in any state, or none)
ORDER_STATES: dict[str, frozenset[str]] = {
    "dispute": frozenset({"paid", "shipped", "delivered", "completed"}),
    "one_star_review": frozenset({"delivered", "completed"}),
    "lost_parcel": frozenset({"shipped"}),
    "customs_hold": frozenset({"shipped"}),
    "failed_payment": frozenset({"unpaid"}),
}
DEFAULT_REASONS = {"dispute": "not_received", "failed_payment": "insufficient_funds"}


def buyers_language(shop: Shop) -> str:
    """Chinese for a shop whose buyers write Chinese (Taobao-style), English for a cross-border one."""
    return "zh" if load_profile(shop.platform)["languages"][0] == "zh" else "en"


def check_order(shop_id: str, kind: str, order_id: str) -> None:
    """The order must be this shop's (404 naming ``order_id``) and in a state the kind needs (409 naming it)."""
    answer = client_for("orders").get(f"/shops/{shop_id}/orders/{order_id}")
    if answer.status == 404:
        raise NotFound(f"no order {order_id} in shop {shop_id}", {"order_id": ["unknown order in this shop"]})
    if not answer.ok:
        raise ServiceUnavailable("the orders service could not check the order", {"order_id": ["not checked"]})
    state = answer.json().get("state")
    needed = ORDER_STATES.get(kind)
    if needed is not None and state not in needed:
        raise Conflict(
            f"a {kind} needs an order that is {' or '.join(sorted(needed))}",
            {"order_id": [f"is {state}; {kind} needs {', '.join(sorted(needed))}"]},
            current_state=state,
        )


def _details(shop: Shop, kind: str, data: dict[str, Any], injection_id: str, language: str) -> dict[str, Any]:
    """What the event carries besides the ids: the reason, and the buyers' words (slots left for the owner)."""
    text = data.get("text")
    details: dict[str, Any] = {"text": text}
    if kind in DEFAULT_REASONS:
        details["reason"] = data.get("reason") or DEFAULT_REASONS[kind]
    if kind == "dispute" and text is None:
        details["text"] = text_bank.message(language, ("dispute", details["reason"]), {}, injection_id)
    elif kind == "one_star_review" and text is None:
        details["text"] = text_bank.one_star_text(language, "", {}, injection_id)
    elif kind == "angry_message":
        details["text"] = text or text_bank.message(language, ("angry",), {}, injection_id)
        details["buyer"] = _buyer(shop, injection_id, "angry", language)
    elif kind == "presale_flood":
        details["questions"] = [_question(shop, injection_id, index, language, text) for index in range(data["count"])]
        details["text"] = text
    return details


def _buyer(shop: Shop, injection_id: str, key: str, language: str) -> dict[str, str]:
    """A buyer of the shop's platform, drawn from the simulator's population (a name fitting their country)."""
    spec = PopulationSpec(count=1, languages=(language,))
    persona = build_persona(injection_id, load_profile(shop.platform), spec, key)
    return {"customer_id": f"inj-{injection_id[:8]}-{key}", "name": persona.name}


def _question(shop: Shop, injection_id: str, index: int, language: str, text: str | None) -> dict[str, str]:
    asked = text or text_bank.question(language, "", {}, injection_id, index).text
    return {**_buyer(shop, injection_id, f"q{index + 1:03d}", language), "text": asked}


def inject(session: Session, shops: Sequence[Shop], data: dict[str, Any], orders: Mapping[str, str | None], *,
           by: str | None, class_id: str | None = None, run_id: str | None = None) -> list[Injection]:  # fmt: skip
    """Record the injection once per shop and publish its event to the owning service, in the caller's
    transaction; ``orders`` is each shop's order (``gateway.injection_targets``), named in both. ``run_id``: the
    scenario run that scripted it (``by`` is then the instructor who started the run)."""
    kind = data["kind"]
    now = datetime.now(UTC)
    rows = []
    for shop in shops:
        injection_id = uuid.uuid4().hex
        language = buyers_language(shop)
        details = _details(shop, kind, data, injection_id, language)
        order_id = orders.get(shop.id)
        payload = {"injection_id": injection_id, "order_id": order_id, "language": language, "note": data.get("note"),
                   **details}  # fmt: skip
        event = publish(session, f"injection.{kind}", shop_id=shop.id, payload=payload)
        row = Injection(
            id=injection_id, shop_id=shop.id, class_id=class_id, kind=kind, order_id=order_id,
            language=language, details=details, note=data.get("note"), created_by=by, created_wall_at=now,
            event_id=event.id, run_id=run_id,
        )  # fmt: skip
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def record_skipped(session: Session, shop: Shop, data: dict[str, Any], reason: str, *, by: str | None, run_id: str
                   ) -> Injection:  # fmt: skip
    """A scenario's injection that found nothing to act on: recorded as skipped, with why, and no event. A person
    who clicks gets a 409 and tries again later; a scenario does not, so the instructor reads it in the list instead
    of missing it."""
    row = Injection(
        id=uuid.uuid4().hex, shop_id=shop.id, class_id=None, kind=data["kind"], order_id=data.get("order_id"),
        language=buyers_language(shop), details={}, note=data.get("note"), created_by=by,
        created_wall_at=datetime.now(UTC), event_id=None, run_id=run_id, skipped_reason=reason[:500],
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def mark_skipped(session: Session, payload: dict[str, Any]) -> None:
    """The owner found nothing to act on (``injection.skipped``): the record keeps why. An injection not recorded
    here (none has that id) is nobody's record: nothing to mark."""
    row = session.get(Injection, payload["injection_id"])
    if row is not None:
        row.skipped_reason = payload["reason"][:500]


def listing(session: Session, *, shop_id: str | None = None, class_id: str | None = None, limit: int = 200
            ) -> list[Injection]:  # fmt: skip
    """The newest first: a shop's injections, or those of every shop of a class (made for the class or one shop)."""
    stmt = select(Injection)
    if shop_id is not None:
        stmt = stmt.where(Injection.shop_id == shop_id)
    if class_id is not None:
        stmt = stmt.where(Injection.shop_id.in_(select(Shop.id).where(Shop.class_id == class_id)))
    return list(session.scalars(stmt.order_by(Injection.created_wall_at.desc(), Injection.id).limit(limit)))
