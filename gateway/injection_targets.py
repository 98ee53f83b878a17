"""Before an injection is recorded, the service that owns it is asked which order it would act on
(``shoplab/injection_targets.py``): so an instructor learns at once that a shop has nothing to inject into, instead
of a 202 followed by silence, and the record names the order that was taken.

One shop: no fitting order is a 409 naming ``order_id`` with the ``needed_state``, and nothing is written. Every
shop of a class: the owners are asked side by side; shops without a fitting order are skipped, each with its reason,
and the others get their injection. A kind that needs no order (a flood of questions) asks nothing; an angry buyer
asks only to name the order they will write about (none: a new buyer writes), and goes ahead if the owner is slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from urllib.parse import quote

from gateway.models import Shop
from shoplab.contracts.injections import OWNERS
from shoplab.errors import Conflict
from shoplab.injection_targets import NEEDS, no_target
from shoplab.plumbing.internal_client import ServiceUnavailable, client_for

_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="injection-target")


@dataclass(frozen=True)
class Skipped:
    """A shop of a class left out of an injection: nothing was recorded or sent for it."""

    shop_id: str
    shop_name: str
    reason: str
    needed_state: str


def order_for(shop_id: str, kind: str, order_id: str | None) -> str | None:
    """The order the injection will act on: the one named (once its owner says it fits), else the one its owner's
    rule takes; None for a kind that takes no order, or an angry buyer in a shop without orders. Raises the 409 of
    ``no_target`` when the kind needs an order and none fits, ``ServiceUnavailable`` when the owner did not answer."""
    if kind not in NEEDS and (kind != "angry_message" or order_id):
        return order_id  # a flood asks before any order; an angry buyer writes about the order named
    try:
        answer = client_for(OWNERS[kind]).get(
            f"/shops/{quote(shop_id, safe='')}/injection-targets/{kind}",
            params={"order_id": order_id} if order_id else None,
        )
    except ServiceUnavailable:
        if kind in NEEDS:
            raise
        return None  # an angry buyer writes anyway: the owner takes the newest order when the event arrives
    if answer.status == 200:
        return answer.json()["order_id"]
    if kind not in NEEDS:
        return None
    if answer.status == 409:
        body = answer.json()
        raise Conflict(body["message"], body.get("fields") or {}, needed_state=body.get("needed_state"), kind=kind)
    if answer.status == 404:  # the owner has not heard of the shop yet: it has no order of it either
        raise no_target(kind, order_id)
    owner = OWNERS[kind]
    raise ServiceUnavailable(f"the {owner} service could not say which order to take", {"order_id": ["not checked"]})


def orders_for_class(shops: Sequence[Shop], kind: str) -> tuple[dict[str, str | None], list[Skipped]]:
    """Each shop's order (shop id -> order id), asked side by side, and the shops skipped with their reasons. A 409
    when no shop fits, with every shop's reason; a 503 when an owner did not answer (nothing is written then: a
    class half-injected because a service blinked would be harder to explain than trying again)."""
    futures = {shop.id: _POOL.submit(order_for, shop.id, kind, None) for shop in shops}
    chosen: dict[str, str | None] = {}
    skipped: list[Skipped] = []
    for shop in shops:
        try:
            chosen[shop.id] = futures[shop.id].result()
        except Conflict as conflict:
            needed = str(conflict.details.get("needed_state") or NEEDS[kind].state)
            skipped.append(Skipped(shop.id, shop.name, conflict.message, needed))
    if not chosen:
        need = NEEDS[kind]
        message = f"no shop of the class has what {kind} needs: {need.named}"
        raise Conflict(
            message,
            {"order_id": [message]},
            needed_state=need.state,
            kind=kind,
            skipped=[asdict(skip) for skip in skipped],
        )
    return chosen, skipped
