"""Which service handles which event types, as the topology table declares it (``shoplab/topology.py``).

The relay sends each event to the queue of every service listed for its type. Every service's handler registry
must match its line exactly (``ServiceSpec`` refuses to build otherwise), so a subscription without a handler
cannot slip in.
"""

from __future__ import annotations

from shoplab.topology import SERVICES

SUBSCRIPTIONS: dict[str, frozenset[str]] = {name: service.subscribes for name, service in SERVICES.items()}

_SUBSCRIBERS: dict[str, list[str]] = {}


def subscribers_of(event_type: str) -> list[str]:
    if event_type not in _SUBSCRIBERS:
        _SUBSCRIBERS[event_type] = sorted(name for name, types in SUBSCRIPTIONS.items() if event_type in types)
    return _SUBSCRIBERS[event_type]
