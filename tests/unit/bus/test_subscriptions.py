"""The subscription table is the one truth: every service's handlers match its line, every type has a contract."""

from __future__ import annotations

import pytest

from shoplab.contracts import CATALOGUE
from shoplab.eventbus.subscriptions import SUBSCRIPTIONS, subscribers_of
from shoplab.plumbing.runtime import load_spec
from shoplab.topology import SERVICES


def handlers_of(service: str) -> set[str]:
    return set(load_spec(service).handlers)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_handles_exactly_what_it_subscribes_to(service):
    assert handlers_of(service) == set(SUBSCRIPTIONS[service])


def test_every_service_has_a_line_and_every_subscribed_type_a_contract():
    assert set(SUBSCRIPTIONS) == set(SERVICES)
    for service, types in SUBSCRIPTIONS.items():
        assert not types - set(CATALOGUE), f"{service} subscribes to types without a contract"


def test_every_service_keeps_its_copy_of_the_shops():
    assert subscribers_of("shop.opened") == sorted(s for s in SERVICES if s != "gateway")
    assert subscribers_of("shop.clock_changed") == subscribers_of("shop.opened")
    assert subscribers_of("no.such_event") == []


def test_a_spec_whose_handlers_differ_from_the_table_is_refused():
    from shoplab.plumbing.runtime import ServiceSpec

    with pytest.raises(ValueError, match="do not match subscriptions"):
        ServiceSpec(name="crm", handlers={"shop.opened": lambda session, event: None})
