"""An event committed by one service reaches every subscriber once, including one that was down when it was sent."""

from __future__ import annotations

from shoplab.eventbus.subscriptions import subscribers_of
from tests.integration.bus.subscribers import (
    SUBSCRIBERS,
    assert_each_once,
    committed_events,
    event_of,
    inbox_rows,
    open_shop,
    queue_idle,
    start_probes,
    wait_handled,
    wait_settled,
)
from tests.stack import eventually


def test_an_event_is_handled_once_by_every_subscriber(stack, teacher):
    assert set(subscribers_of("shop.opened")) == set(SUBSCRIBERS)
    start_probes(stack, SUBSCRIBERS)

    shop = open_shop(stack, teacher)
    event_id = event_of(stack, shop["id"])

    wait_handled(stack, SUBSCRIBERS, event_id)
    for service in SUBSCRIBERS:
        eventually(lambda service=service: queue_idle(stack, service), message=f"{service} queue drained")
        assert stack.client(service).get(f"/shops/{shop['id']}").status_code == 200
    wait_settled(stack, SUBSCRIBERS)  # every delivery confirmed and no copy left: a second effect cannot come now
    # the demo class seeded at sign-in opened shops too: each of those events also counts once, no more
    assert event_id in committed_events(stack, "crm")
    assert_each_once(stack, SUBSCRIBERS)


def test_an_event_committed_while_a_subscriber_is_down_is_handled_when_it_starts(stack, teacher):
    up = [service for service in SUBSCRIBERS if service != "crm"]
    start_probes(stack, up)

    shop = open_shop(stack, teacher)
    event_id = event_of(stack, shop["id"])

    wait_handled(stack, up, event_id)
    # kept in crm's durable queue while nobody consumes it
    assert stack.redis.llen("crm") == len(committed_events(stack, "crm"))
    assert inbox_rows(stack, "crm") == 0
    assert stack.client("crm").get(f"/shops/{shop['id']}").status_code == 404

    start_probes(stack, ["crm"])
    wait_handled(stack, ["crm"], event_id)
    eventually(lambda: queue_idle(stack, "crm"), message="crm queue drained")
    wait_settled(stack, SUBSCRIBERS)
    assert_each_once(stack, SUBSCRIBERS)
    assert stack.client("crm").get(f"/shops/{shop['id']}").get_json()["name"] == shop["name"]
