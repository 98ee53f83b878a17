"""The Celery worker every service runs on its own queue: delivery, the outbox sweep and its timers."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from celery import Celery, Task
from celery.signals import (
    task_received,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from shoplab.eventbus.celery_setup import make_celery
from shoplab.eventbus.consumer import HANDLED
from shoplab.eventbus.envelope import InvalidEvent
from shoplab.eventbus.heartbeat import Heartbeat, record_consumed, start_heartbeat
from shoplab.plumbing.inherited_sockets import release_inherited_sockets
from shoplab.plumbing.runtime import ServiceRuntime, ServiceSpec
from shoplab.settings import WorkerSettings, redis_url
from shoplab.shops.timer_runner import ShopTimer, run_timer

log = logging.getLogger(__name__)


def retry_delay(retries: int, cap: int) -> int:
    """1, 2, 4, 8 ... seconds, capped: kept below the visibility timeout so a waiting retry is not redelivered."""
    return min(2**retries, cap)


def build_worker(spec: ServiceSpec) -> tuple[Celery, Callable[[], ServiceRuntime]]:
    """The service's Celery app, and a way for its own timer tasks to reach the runtime of the current process."""
    settings = WorkerSettings()
    app = make_celery(spec.name)
    runtimes: dict[str, ServiceRuntime] = {}

    def runtime() -> ServiceRuntime:
        if "current" not in runtimes:
            runtimes["current"] = ServiceRuntime(spec)
        return runtimes["current"]

    @worker_init.connect(weak=False)
    def _migrate(**_: Any) -> None:
        runtime().migrate()
        runtime().db.engine.dispose()  # children open their own connections after the fork
        runtimes.clear()

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_: Any) -> None:
        # A child forked after the main process connected must not keep its broker connection open (see the module)
        try:
            release_inherited_sockets(redis_url())
        except Exception:  # never a reason for the child not to start
            log.exception("could not look for inherited broker connections")
        runtimes.clear()

    @worker_process_shutdown.connect(weak=False)
    def _push_confirmations(**_: Any) -> None:
        if "current" in runtimes:
            runtimes["current"].confirmer.flush(timeout=1.0)

    heartbeats: list[Heartbeat] = []

    @worker_ready.connect(weak=False)
    def _beat(**_: Any) -> None:
        heartbeats.append(start_heartbeat(runtime().redis, spec.name))

    @task_received.connect(weak=False)
    def _taken(**_: Any) -> None:
        # In the main process, for every message it takes (events, timers, sweeps): /healthz calls a worker stalled
        # when messages wait and it took none for 30 s, whether its event loop or its pool child is stuck
        record_consumed(runtime().redis, spec.name)

    @worker_shutdown.connect(weak=False)
    def _stop_beating(**_: Any) -> None:
        for heartbeat in heartbeats:
            heartbeat.stop()

    @app.task(name=f"{spec.name}.deliver", bind=True, max_retries=settings.max_retries)
    def deliver(task: Task, message: Any) -> str:
        """Handle the event once in effect, then confirm it to its producer: after the inbox commit, whether this
        delivery took effect or found the event there already, and after keeping it as a dead letter."""
        current = runtime()
        consumer = current.consumer
        try:
            event = consumer.parse(message)
        except InvalidEvent as exc:
            consumer.dead_letter(message, reason="invalid", error=str(exc), attempts=1)
            log.warning("%s refused an invalid event: %s", spec.name, exc)
            _confirm_kept(current, message)
            return "invalid"
        try:
            outcome = consumer.handle(event)
        except Exception as exc:
            if task.request.retries >= settings.max_retries:
                consumer.dead_letter(
                    message,
                    reason="failed",
                    error=traceback.format_exc(limit=8),
                    attempts=task.request.retries + 1,
                )
                log.error("%s dead-lettered %s %s: %r", spec.name, event.type, event.id, exc)
                current.confirmer.confirm(event.source, event.id)
                return "dead-lettered"
            raise task.retry(exc=exc, countdown=retry_delay(task.request.retries, settings.visibility_timeout // 2))
        lag = (datetime.now(UTC) - event.occurred_at).total_seconds() if outcome == HANDLED else None
        current.confirmer.confirm(event.source, event.id, lag)
        return outcome

    @app.task(name=f"{spec.name}.sweep_outbox")
    def sweep_outbox() -> dict[str, int]:
        return runtime().db.relay.sweep().as_dict()

    for name, timer in spec.timers.items():
        _register_timer(app, runtime, name, timer)

    return app, runtime


def _confirm_kept(runtime: ServiceRuntime, message: Any) -> None:
    """An invalid message kept as a dead letter is confirmed too, when it says whose and which it is: sending it
    again would not make it valid."""
    if isinstance(message, dict) and isinstance(message.get("id"), str) and isinstance(message.get("source"), str):
        runtime.confirmer.confirm(message["source"], message["id"])


def _register_timer(app: Celery, runtime: Callable[[], ServiceRuntime], name: str, timer: ShopTimer) -> None:
    """A timer task the scheduler sends by name: one tick over every open shop (:func:`run_timer`)."""

    @app.task(name=name)
    def tick() -> int:
        return run_timer(runtime().db, name, timer).done
