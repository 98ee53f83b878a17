"""The gateway's worker: relays what its outbox still holds and rings the live stream for the events it hears."""

from gateway.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
