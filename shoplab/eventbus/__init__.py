"""The event bus: envelope, outbox, relay, inbox, dead letters and the subscription table.

Producers call :func:`shoplab.eventbus.outbox.publish` inside the transaction that changes state; the relay sends
each committed event to the durable queue of every subscriber; each service's worker hands it to a handler inside
a transaction that also records the event id, so a redelivery has no second effect.
"""
