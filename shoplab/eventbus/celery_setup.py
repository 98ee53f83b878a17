"""Celery, configured once for every ShopLab worker and producer: late acks, prefetch 1, quick redelivery."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

import redis
from celery import Celery
from celery.worker.consumer import Consumer
from kombu import Connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from shoplab.settings import WorkerSettings, redis_url

SENT_AT_HEADER = "shoplab_sent_at"  # wall-clock seconds


def make_celery(name: str) -> Celery:
    settings = WorkerSettings()
    app = Celery(name, broker=redis_url(), set_as_current=False)
    app.conf.update(
        broker_transport="shoplab.eventbus.redis_transport:Transport",  # kombu's, freeing a failed ack's place
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=name,
        # Ack only after the handler's transaction committed; a killed pool child's message goes back to the queue.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A handler running when the broker connection drops finishes (its ack then fails and the message comes
        # back after the visibility timeout, which the inbox absorbs). Cancelling it would kill the pool child, and
        # the worker consumed nothing until a new child was forked: up to 7 s after Redis was back, measured.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # keep trying while Redis restarts
        broker_transport_options={
            # Unacked messages of a worker killed outright come back after this many seconds...
            "visibility_timeout": settings.visibility_timeout,
            # ...checked every 2 s instead of Celery's default of about 100 s.
            "unacked_restore_interval": settings.restore_interval,
            "unacked_restore_throttle": 1,
            # Workers take turns restoring through a lock in Redis. A worker killed holding it (or Redis killed
            # before it was let go: the lock is in the append-only file) kept every worker from restoring for
            # kombu's default of 300 s; a restore round takes milliseconds.
            "unacked_mutex_expire": 5,
            "socket_timeout": 5,
            "socket_connect_timeout": 5,
            "retry_on_timeout": True,
            "health_check_interval": 10,
        },
        worker_send_task_events=False,
        # No remote control (celery inspect/control: nothing in ShopLab uses it), hence no pub/sub connection. After
        # a Redis restart kombu could block reading that connection with no timeout, and the worker's whole event
        # loop with it: alive, beating, consuming nothing, for good (found by the chaos test, twice).
        worker_enable_remote_control=False,
        task_send_sent_event=False,
        worker_hijack_root_logger=False,
        broker_pool_limit=20,
        # Reconnects every second while Redis is away (see QuickReconnectConsumer)
        worker_consumer=f"{__name__}:QuickReconnectConsumer",
    )
    return app


class QuickReconnectConsumer(Consumer):
    """Celery's consumer, retrying a lost broker connection at once and then every second.

    Celery's own consumer waits 2, 4, 6 ... up to 30 s between attempts (kombu's defaults, which Celery does not
    let settings change), so a worker whose Redis was away for 15 s could take another 15 s to come back. Redis is
    on the same host or network and restarts in a moment: trying every second costs nothing."""

    RETRY_INTERVALS = {"interval_start": 0, "interval_step": 0.5, "interval_max": 1}

    def ensure_connected(self, conn: Connection) -> Connection:
        ensure = conn.ensure_connection

        def quickly(*args: Any, **kwargs: Any) -> Connection:
            return ensure(*args, **{**self.RETRY_INTERVALS, **kwargs})

        conn.ensure_connection = quickly
        return super().ensure_connected(conn)


class QueueSender:
    """The relay's way onto the queues: one Celery task message per subscriber, on its own durable list.

    Each message is a Celery task message (protocol 2) for ``<service>.deliver``, its headers and body built by
    Celery's own ``as_task_v2``, wrapped the way kombu's Redis transport stores a message and pushed with one LPUSH
    per queue (a pipeline when a round reaches several queues): one round trip and one AOF fsync for the whole round.
    kombu's own publish path creates a Redis client per message and a pipeline per batch, each rebuilding redis-py's
    table of 170 response callbacks; with routing and a queue declaration per message it cost the relay three times
    the CPU. The worker reads these messages with kombu, unchanged (the bus tests run real workers on them).

    The relay runs right after the producer's commit, in a request or a handler: when Redis is away it must give up
    at once and leave the event to the sweep, so the client neither retries nor waits long."""

    def __init__(self, app: Celery | None = None, url: str | None = None) -> None:
        self.app = app or make_celery("shoplab-relay")
        # No retries: a command redis-py replays after a timeout could push its messages twice.
        self.redis = redis.Redis.from_url(
            url or redis_url(), socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
        )

    def __call__(self, service: str, message: dict[str, Any]) -> None:
        self.send_all([(service, message)])

    def send_all(self, deliveries: Iterable[tuple[str, dict[str, Any]]]) -> None:
        by_queue: dict[str, list[str]] = {}
        for service, message in deliveries:
            by_queue.setdefault(service, []).append(self.task_message(service, message))
        if len(by_queue) == 1:
            ((queue, messages),) = by_queue.items()
            self.redis.lpush(queue, *messages)  # BRPOP takes them from the other end: first pushed, first taken
        elif by_queue:
            with self.redis.pipeline(transaction=False) as pipe:
                for queue, messages in by_queue.items():
                    pipe.lpush(queue, *messages)
                pipe.execute()

    def task_message(self, service: str, message: dict[str, Any]) -> str:
        """The message as kombu's Redis transport keeps it on the list: JSON, the task body in base64."""
        task_id = str(uuid.uuid4())
        headers, properties, body, _ = self.app.amqp.as_task_v2(
            task_id,
            f"{service}.deliver",
            args=[message],
            kwargs={},
            # what logs and monitors show of the message; Celery's own repr of a whole payload is costly
            argsrepr=f"[{message.get('type')} {message.get('id')}]" if isinstance(message, dict) else "[?]",
            kwargsrepr="{}",
        )
        return json.dumps(
            {
                "body": base64.b64encode(json.dumps(body).encode()).decode(),
                "content-encoding": "utf-8",
                "content-type": "application/json",
                # when the relay sent it: the sweep reads it off the oldest message still waiting in a queue
                "headers": {**headers, SENT_AT_HEADER: time.time()},
                "properties": {
                    **properties,
                    "delivery_mode": 2,
                    "priority": 0,
                    "body_encoding": "base64",
                    "delivery_info": {"exchange": "", "routing_key": service},
                    "delivery_tag": str(uuid.uuid4()),
                },
            }
        )
