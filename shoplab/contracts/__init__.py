"""The payload contracts of every event type, one module per producing service.

An event type is ``noun.past_tense``; its payload has a marshmallow schema here, shared by the producer (which
validates before writing the outbox) and every consumer (which refuses what does not validate). Money travels as
a two-place decimal string (``shoplab.contracts.money.Money``: producers put ``wire(cents)`` in, consumers get
integer minor units out), times as ISO-8601 UTC.
"""

from shoplab.contracts import crm, gateway, injections, orders, reviews, tickets
from shoplab.contracts.contract import Contract

CATALOGUE: dict[str, Contract] = {
    **gateway.CONTRACTS,
    **injections.CONTRACTS,
    **orders.CONTRACTS,
    **tickets.CONTRACTS,
    **reviews.CONTRACTS,
    **crm.CONTRACTS,
}

__all__ = ["CATALOGUE", "Contract"]
