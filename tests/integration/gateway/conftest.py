"""The gateway's tests run the real services behind it: the orders, tickets, reviews and crm apps of the test's stack,
each served over a real socket (a threaded werkzeug server on the port the settings give the service), so every
forwarded call goes through ``client_for(...)`` and HTTP as in production. Events reach the services through their
real consumers (:func:`pump`), as a worker would hand them over, without starting Celery for the tests that are not
about delivery.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from shoplab.eventbus.envelope import parse_message
from shoplab.eventbus.subscriptions import subscribers_of
from shoplab.eventbus.tables import OutboxMessage
from shoplab.topology import SERVICES

SERVED = ("orders", "tickets", "reviews", "crm")


class ServedApps:
    """Flask apps of a stack served on their configured ports; a service can be stopped to play a dead one."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.servers: dict[str, BaseWSGIServer] = {}

    def serve(self, name: str) -> None:
        server = make_server(SERVICES[name].host, SERVICES[name].port, self.stack.app(name), threaded=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"serve-{name}", daemon=True).start()
        self.servers[name] = server

    def stop(self, name: str) -> None:
        server = self.servers.pop(name)
        server.shutdown()
        server.server_close()

    def close(self) -> None:
        for name in list(self.servers):
            self.stop(name)


def pump(stack, sources=("gateway", "orders", "tickets", "reviews", "crm"), targets=SERVED) -> int:
    """Hand every event in the sources' outboxes to the targets' consumers, as their workers would (the inbox makes
    a second hand-over harmless), until nothing new comes out; how many hand-overs there were."""
    handed = 0
    seen: set[tuple[str, str]] = stack.__dict__.setdefault("_pumped", set())
    while True:
        fresh = 0
        for source in sources:
            with stack.runtime(source).db.reading() as session:
                rows = session.execute(
                    select(OutboxMessage.id, OutboxMessage.type, OutboxMessage.message).order_by(
                        OutboxMessage.created_wall_at
                    )
                ).all()
            for event_id, event_type, message in rows:
                for target in subscribers_of(event_type):
                    if target in targets and (target, event_id) not in seen:
                        seen.add((target, event_id))
                        runtime = stack.runtime(target)
                        runtime.consumer.handle(parse_message(json.loads(message)))
                        fresh += 1
        handed += fresh
        if not fresh:
            return handed


@pytest.fixture
def served(stack):
    apps = ServedApps(stack)
    for name in SERVED:
        apps.serve(name)
    stack.served = apps
    yield stack
    apps.close()


@pytest.fixture
def sqlite_served(sqlite_stack):
    apps = ServedApps(sqlite_stack)
    for name in SERVED:
        apps.serve(name)
    sqlite_stack.served = apps
    yield sqlite_stack
    apps.close()
