"""Schemathesis over every API document: each service's (orders, tickets, reviews, crm, with the internal credential)
and the gateway's (signed in as the demo instructor, the services served behind it), every check, a bounded number
of examples per operation and a fixed seed, so a run is reproducible and takes a couple of minutes on two cores.

A server error (5xx) or an answer the document does not describe (status, body, headers, content type) fails.

SQLite only: this is about the edge of the API (what it accepts and how it answers), which the database does not
change; the PostgreSQL lane of every service's own tests covers the queries. One app per service for the whole
module (building them migrates five databases): operations share the demo shops the gateway seeded.
"""

from __future__ import annotations

import pytest
import redis
import schemathesis
import schemathesis.engine
from schemathesis.engine import events

from shoplab import settings
from shoplab.plumbing.auth import HEADER
from shoplab.topology import SERVICES as TOPOLOGY
from tests.integration.gateway.conftest import ServedApps, pump
from tests.stack import Stack

# Each document's run takes up to a minute or two on a loaded 2-core machine; the whole module about four.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SERVICES = ("orders", "tickets", "reviews", "crm")
EXAMPLES_PER_OPERATION = 5
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
# The forwarded operations (tagged with their service) are the services' own, run in full against each service
# above; through the gateway, the staff ones get the generated examples without the coverage cases (which would
# double the module's time), and the buyer ones are left out (a staff sign-in is a 401 there).
FORWARDED_TAGS = r"^(buyer )?(orders|tickets|reviews|crm)$"
STAFF_FORWARDED_TAGS = r"^(orders|tickets|reviews|crm)$"
# Calls that would end the fuzzing user's own sign-in (every later call a 401) or never end (the live stream).
GATEWAY_SKIPPED = ("/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/shops/{shop_id}/stream")
# The gateway's own operations that take another credential than a sign-in: the simulator's (the internal one) and
# the buyer API's customers and feed (a buyer key). Run apart, with those credentials, where they answer for real.
OTHER_CREDENTIALS = r"^/(internal|api/v1/buyer)/"


@pytest.fixture(scope="module")
def fuzz_stack(redis_server, tmp_path_factory):
    redis.Redis.from_url(redis_server).flushall()
    stack = Stack(tmp_path_factory.mktemp("fuzz"), redis_server)
    headers = stack.sign_in()
    pump(stack, sources=("gateway",), targets=SERVICES)
    served = ServedApps(stack)
    for name in (*SERVICES, "gateway"):
        served.serve(name)
    gateway = stack.client("gateway")
    shop = gateway.get("/api/v1/shops", headers=headers).get_json()[0]
    buyer_key = gateway.post(f"/api/v1/shops/{shop['id']}/buyer-keys", headers=headers, json={}).get_json()["key"]
    stack.fuzz = {"headers": headers, "shop_id": shop["id"], "platform": shop["platform"], "buyer_key": buyer_key}
    yield stack
    served.close()
    stack.close()


def _config(
    headers: dict[str, str], shop_id: str, *, coverage: bool = True, parameters: dict[str, str] | None = None
) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "headers": headers,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            "parameters": {"shop_id": shop_id, **(parameters or {})},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
            "cache": {"enabled": False},  # every run the same, from the seed alone
            # A request the document allows may still break a business rule it cannot say (an unknown SKU in a
            # body, ``from`` after ``to``, a refund larger than what was paid): 422 naming the field is the answer.
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        }
    )


def _url(service: str) -> str:
    """Served over a socket, as in production (the gateway calls the services over HTTP)."""
    return f"http://{TOPOLOGY[service].host}:{TOPOLOGY[service].port}/openapi.json"


def _run(schema) -> list[str]:
    """Every phase of a schemathesis run (examples, coverage, fuzzing) over ``schema``; each failure as one line."""
    failures: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: error {event.info.format()}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        for checks in event.recorder.checks.values():
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    detail = " | ".join(line for line in failure.message.splitlines()[:3] if line.strip())
                    curl = check.failure_info.code_sample.splitlines()[-1]
                    failures.append(f"{event.recorder.label}: {check.name}: {failure.title}: {detail}\n    {curl}")
    return sorted(set(failures))


@pytest.mark.parametrize("service", SERVICES)
def test_services_answer_as_documented(fuzz_stack, service):
    config = _config({HEADER: settings.internal_token()}, fuzz_stack.fuzz["shop_id"])
    schema = schemathesis.openapi.from_url(_url(service), config=config)
    failures = _run(schema)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_gateway_answers_as_documented(fuzz_stack):
    config = _config(fuzz_stack.fuzz["headers"], fuzz_stack.fuzz["shop_id"])
    schema = schemathesis.openapi.from_url(_url("gateway"), config=config)
    failures = _run(
        schema.exclude(path=list(GATEWAY_SKIPPED))
        .exclude(tag_regex=FORWARDED_TAGS)
        .exclude(path_regex=OTHER_CREDENTIALS)
    )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_gateway_simulator_and_buyer_routes_answer_as_documented(fuzz_stack):
    """With the internal credential and a buyer key of the shop, and a scenario running there, so that the
    simulator's reports and buyer keys meet a real run (stopped at the end)."""
    gateway, fuzz = fuzz_stack.client("gateway"), fuzz_stack.fuzz
    scenario = next(s["name"] for s in gateway.get("/api/v1/scenarios", headers=fuzz["headers"]).get_json()
                    if fuzz["platform"] in s["platforms"])  # fmt: skip
    runs = f"/api/v1/shops/{fuzz['shop_id']}/scenario-runs"
    started = gateway.post(runs, headers=fuzz["headers"], json={"scenario": scenario})
    assert started.status_code == 201, started.get_json()
    run = started.get_json()
    headers = {HEADER: settings.internal_token(), "Authorization": f"Bearer {fuzz['buyer_key']}"}
    config = _config(headers, fuzz["shop_id"], parameters={"run_id": run["id"]})
    try:
        schema = schemathesis.openapi.from_url(_url("gateway"), config=config)
        failures = _run(schema.include(path_regex=OTHER_CREDENTIALS).exclude(tag_regex=FORWARDED_TAGS))
    finally:
        gateway.post(f"{runs}/{run['id']}/stop", headers=fuzz["headers"], json={})
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_gateway_forwards_as_documented(fuzz_stack):
    config = _config(fuzz_stack.fuzz["headers"], fuzz_stack.fuzz["shop_id"], coverage=False)
    schema = schemathesis.openapi.from_url(_url("gateway"), config=config)
    failures = _run(schema.include(tag_regex=STAFF_FORWARDED_TAGS))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
