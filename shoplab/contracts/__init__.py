"""The payload contracts of every event type, one module per producing service.

An event type is ``noun.past_tense``; its payload has a marshmallow schema here, shared by the producer (which
validates before writing the outbox) and every consumer (which refuses what does not validate). Money travels as
a decimal string (``fields.Decimal(as_string=True)``), times as ISO-8601 UTC.
"""

from shoplab.contracts import crm, gateway, orders, tickets
from shoplab.contracts.contract import Contract

CATALOGUE: dict[str, Contract] = {
    **gateway.CONTRACTS,
    **orders.CONTRACTS,
    **tickets.CONTRACTS,
    **crm.CONTRACTS,
}

__all__ = ["CATALOGUE", "Contract"]
