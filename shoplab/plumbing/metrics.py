"""``GET /metrics`` in Prometheus text format: HTTP traffic, and the bus's state read at scrape time."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from shoplab.eventbus.lag import lag_family
from shoplab.eventbus.tables import DeadLetter, Delivery, InboxEntry, OutboxMessage


class BusCollector:
    def __init__(self, runtime) -> None:
        self.runtime = runtime

    def collect(self):
        service = self.runtime.spec.name
        unsent = GaugeMetricFamily("shoplab_outbox_unsent", "Outbox events not yet relayed", labels=["service"])
        dead = GaugeMetricFamily("shoplab_dead_letters", "Dead letters not yet replayed", labels=["service"])
        handled = GaugeMetricFamily("shoplab_inbox_handled", "Events handled by this service", labels=["service"])
        waiting = GaugeMetricFamily("shoplab_queue_waiting", "Messages waiting in the queue", labels=["service"])
        unconfirmed = GaugeMetricFamily(
            "shoplab_deliveries_unconfirmed",
            "Sent events a subscriber has not yet confirmed (sent again after 20 s), by subscriber",
            labels=["service", "subscriber"],
        )
        try:
            with self.runtime.db.reading() as session:
                unsent.add_metric(
                    [service],
                    session.scalar(
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_wall_at.is_(None))
                    ),
                )
                dead.add_metric(
                    [service],
                    session.scalar(
                        select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_wall_at.is_(None))
                    ),
                )
                handled.add_metric([service], session.scalar(select(func.count()).select_from(InboxEntry)))
                open_deliveries = session.execute(
                    select(Delivery.subscriber, func.count())
                    .where(Delivery.confirmed_wall_at.is_(None))
                    .group_by(Delivery.subscriber)
                )
                for subscriber, count in open_deliveries:
                    unconfirmed.add_metric([service, subscriber], count)
        except Exception:
            pass  # a scrape must not fail because the database is away; /healthz says why
        lag = None
        try:
            waiting.add_metric([service], self.runtime.redis.llen(service))
            if self.runtime.spec.service.subscribes:
                lag = lag_family(self.runtime.redis, service)
        except Exception:
            pass
        yield from (unsent, dead, handled, waiting, unconfirmed)
        if lag is not None:
            yield lag


def install_metrics(app: Flask, runtime) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "shoplab_http_requests",
        "HTTP requests",
        ["service", "method", "endpoint", "status"],
        registry=registry,
    )
    latency = Histogram(
        "shoplab_http_request_duration_seconds",
        "HTTP request latency",
        ["service", "endpoint"],
        registry=registry,
    )
    registry.register(BusCollector(runtime))
    service = runtime.spec.name

    @app.before_request
    def _start() -> None:
        g.shoplab_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests.labels(service, request.method, endpoint, str(response.status_code)).inc()
        started = g.get("shoplab_started")
        if started is not None:
            latency.labels(service, endpoint).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
