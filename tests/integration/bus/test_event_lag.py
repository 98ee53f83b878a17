"""Event lag on ``/metrics``: a subscriber's histogram of the seconds from an event's commit at its producer to its
handling committed at the subscriber, per producer, measured by the real worker and read by the web process."""

from __future__ import annotations

import re

from gateway.shops import open_shop
from shoplab.eventbus.lag import BUCKETS
from tests.stack import eventually

LINE = re.compile(r"^shoplab_event_lag_seconds_(bucket|count|sum)\{(.*)\} (\S+)$")


def _lag(stack, service: str) -> dict[str, dict[str, float]]:
    """The histogram's series for ``service`` as subscriber: ``{"count": {producer: n}, "bucket": {"<producer> <le>":
    n}, "sum": {producer: seconds}}``."""
    text = stack.client(service).get("/metrics").get_data(as_text=True)
    series: dict[str, dict[str, float]] = {"bucket": {}, "count": {}, "sum": {}}
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            kind, labels, value = match.groups()
            found = dict(re.findall(r'(\w+)="([^"]*)"', labels))
            assert found["subscriber"] == service
            name = found["producer"] + (f" {found['le']}" if kind == "bucket" else "")
            series[kind][name] = float(value)
    return series


def test_a_subscriber_shows_its_lag_per_producer(stack):
    stack.worker("orders")
    with stack.runtime("gateway").db.writing() as session:
        for number in range(3):
            open_shop(session, name=f"lag {number}", platform="taobao")

    def counted() -> dict:
        series = _lag(stack, "orders")
        return series if series["count"].get("gateway", 0) >= 3 else None

    series = eventually(counted, timeout=30, message="the orders worker's lag reached /metrics")
    assert series["count"]["gateway"] == 3
    cumulative = [series["bucket"][f"gateway {bound!r}"] for bound in BUCKETS] + [series["bucket"]["gateway +Inf"]]
    assert cumulative == sorted(cumulative) and cumulative[-1] == 3
    assert 0 < series["sum"]["gateway"] < 3 * 30  # seconds, not milliseconds or hours
    assert not _lag(stack, "gateway")["count"]  # the gateway's own worker handled nothing here
