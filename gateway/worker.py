"""The gateway's worker: relays what its outbox still holds (it handles no events yet)."""

from gateway.service import SPEC
from shoplab.plumbing.worker import build_worker

app, runtime = build_worker(SPEC)
