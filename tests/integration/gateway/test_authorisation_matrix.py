"""Who reaches what: every public route of shop A, called by eight kinds of caller, answers exactly as the tenancy
rules say, and no row of another shop (or, for a buyer, of another customer) appears in any answer.

Allowed callers send a body the service refuses (an unknown field): the request reaches the service, which answers
422 and writes nothing, so the matrix can run every route in one school without changing it.
"""

from __future__ import annotations

import re

from gateway.routes import BUYER, BUYER_ROUTES, INSTRUCTOR, STAFF_ROUTES, STUDENT, Route
from tests.integration.gateway.world import build_world

PERIOD = "from=2020-01-01T00:00:00Z&to=2035-01-01T00:00:00Z"
PROBE_BODY = {"unexpected_field": 1}
CALLERS = (
    "anonymous",
    "student_of_shop",
    "student_same_class",
    "student_other_class",
    "instructor_of_class",
    "instructor_other_class",
    "buyer_key_of_shop",
    "buyer_key_other_shop",
)
ROLE_OF = {"student_of_shop": STUDENT, "instructor_of_class": INSTRUCTOR, "buyer_key_of_shop": BUYER}
OUTSIDERS = {"student_same_class", "student_other_class", "instructor_other_class"}


def _headers(world, caller: str) -> dict[str, str]:
    return {
        "anonymous": {},
        "student_of_shop": world.headers["student1"],
        "student_same_class": world.headers["student2"],
        "student_other_class": world.headers["student_c"],
        "instructor_of_class": world.headers["teacher"],
        "instructor_other_class": world.headers["teacher2"],
        "buyer_key_of_shop": world.buyer("A", "c-a1"),
        "buyer_key_other_shop": world.buyer("B", "c-b1"),
    }[caller]


def _path(world, route: Route) -> str:
    values = {
        "order_id": world.ids["order_c-a1"],
        "ticket_id": world.ids["ticket_c-a1"],
        "dispute_id": world.ids["dispute_c-a1"],
        "product_id": world.ids["product_a"],
        "agent_id": world.users["student1"],
        "review_id": world.ids["review_c-a1"],
        "customer_id": "c-a1",
    }
    path = re.sub(r"<(\w+)>", lambda m: values.get(m.group(1), "x1"), route.path)
    query = PERIOD if "metrics" in path or path.endswith("export.csv") else ""
    return f"{path}?{query}" if query else path


def _expected_forwarded(route: Route, caller: str) -> int:
    """What the table says this caller gets on a forwarded route (staff table if not BUYER in who)."""
    buyer_route = BUYER in route.who
    if caller == "anonymous":
        return 401
    if buyer_route:
        if caller == "buyer_key_other_shop":
            return 404
        if caller != "buyer_key_of_shop":
            return 401  # a sign-in is not a buyer key
    else:
        if caller.startswith("buyer_key"):
            return 401  # a buyer key never reaches the staff API
        if caller in OUTSIDERS:
            return 404
        if ROLE_OF[caller] not in route.who:
            return 403
    if route.method == "GET":
        return 200
    return 409 if route.path.endswith("confirm-receipt") else 422


def _foreign(world, caller: str) -> list[str]:
    """Ids that must not appear in what this caller reads of shop A."""
    shop_b = [world.shops["B"], world.ids["order_c-b1"], world.ids["ticket_c-b1"], world.ids["review_c-b1"], "c-b1"]
    if caller == "buyer_key_of_shop":
        return shop_b + [world.ids["order_c-a2"], world.ids["ticket_c-a2"], "c-a2"]
    return shop_b


def test_every_forwarded_route_for_every_caller(served):
    world = build_world(served)
    failures = []
    for routes, prefix in ((STAFF_ROUTES, f"/api/v1/shops/{world.shops['A']}"),
                           (BUYER_ROUTES, f"/api/v1/buyer/shops/{world.shops['A']}")):  # fmt: skip
        for route in routes:
            for caller in CALLERS:
                url = prefix + _path(world, route)
                body = PROBE_BODY if route.method != "GET" else None
                response = world.gateway.open(url, method=route.method, headers=_headers(world, caller), json=body)
                expected = _expected_forwarded(route, caller)
                if response.status_code != expected:
                    failures.append((caller, route.method, url, expected, response.status_code, response.data[:200]))
                    continue
                assert response.is_json or route.path.endswith((".csv", ".xlsx")), url
                if expected in (401, 403, 404) and response.is_json:
                    assert set(response.get_json()) >= {"error", "message", "fields"}
                text = response.get_data().decode("utf-8", "replace")  # an Excel export is binary
                leaked = [fid for fid in _foreign(world, caller) if fid in text]
                if leaked:
                    failures.append((caller, route.method, url, "leaked", leaked))
    assert not failures, "\n".join(map(str, failures))


GATEWAY_ROUTES = [
    # (method, path template, body, {caller: status}; unspecified callers: staff outsiders 404, buyer keys 401)
    ("GET", "/api/v1/shops/{A}", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/clock", {"speed": 1}, {"student_of_shop": 403, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/members", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/members", {}, {"student_of_shop": 403, "instructor_of_class": 422}),
    ("GET", "/api/v1/shops/{A}/buyer-keys", None, {"student_of_shop": 403, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/buyer-keys", {}, {"student_of_shop": 403, "instructor_of_class": 201}),
    ("GET", "/api/v1/shops/{A}/conversations/{ticket}", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/queue", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/stream", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/order-views/{order}", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/worklists", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/shops/{A}/my-metrics", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/reply-check", {}, {"student_of_shop": 422, "instructor_of_class": 422}),
    ("GET", "/api/v1/buyer/shops/{A}/customers/c-a1", None,
     {"buyer_key_of_shop": 200, "buyer_key_other_shop": 404, "*staff": 401}),
    ("PUT", "/api/v1/buyer/shops/{A}/customers/c-a1", {"name": "王小明", "country": "CN",
     "timezone": "Asia/Shanghai", "language": "zh"}, {"buyer_key_of_shop": 200, "buyer_key_other_shop": 404,
                                                       "*staff": 401}),
    # scenario runs, reply assessments and the buyer feed (issue 13)
    ("GET", "/api/v1/shops/{A}/scenario-runs", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/scenario-runs", {}, {"student_of_shop": 403, "instructor_of_class": 422}),
    ("GET", "/api/v1/shops/{A}/reply-assessments", None, {"student_of_shop": 200, "instructor_of_class": 200}),
    ("GET", "/api/v1/classes/demo-class/scenario-runs", None,
     {"student_of_shop": 403, "student_same_class": 403, "instructor_of_class": 200}),
    ("POST", "/api/v1/classes/demo-class/scenario-runs", {}, {"student_of_shop": 403, "student_same_class": 403,
                                                              "instructor_of_class": 422}),
    ("GET", "/api/v1/classes/demo-class/reply-assessments", None,
     {"student_of_shop": 403, "student_same_class": 403, "instructor_of_class": 200}),
    ("GET", "/api/v1/buyer/shops/{A}/feed?after=0", None,
     {"buyer_key_of_shop": 200, "buyer_key_other_shop": 404, "*staff": 401}),
    ("GET", "/api/v1/classes/demo-class", None,
     {"student_of_shop": 403, "student_same_class": 403, "instructor_of_class": 200}),
    ("POST", "/api/v1/classes/demo-class/students", {}, {"student_of_shop": 403, "student_same_class": 403,
                                                         "instructor_of_class": 422}),
    ("POST", "/api/v1/classes/demo-class/shops", {}, {"student_of_shop": 403, "student_same_class": 403,
                                                      "instructor_of_class": 422}),
    # instructors' injections (an empty body names no kind: 422, nothing written)
    ("GET", "/api/v1/shops/{A}/injections", None, {"student_of_shop": 403, "instructor_of_class": 200}),
    ("POST", "/api/v1/shops/{A}/injections", {}, {"student_of_shop": 403, "instructor_of_class": 422}),
    ("GET", "/api/v1/classes/demo-class/injections", None, {"student_of_shop": 403, "student_same_class": 403,
                                                            "instructor_of_class": 200}),
    ("POST", "/api/v1/classes/demo-class/injections", {}, {"student_of_shop": 403, "student_same_class": 403,
                                                           "instructor_of_class": 422}),
]  # fmt: skip


def test_the_gateways_own_routes_for_every_caller(served):
    """Checked before any body is read: an outsider's malformed body is still a 404, an anonymous one a 401."""
    world = build_world(served)
    failures = []
    for method, template, body, special in GATEWAY_ROUTES:
        url = template.format(A=world.shops["A"], ticket=world.ids["ticket_c-a1"], order=world.ids["order_c-a1"])
        for caller in CALLERS:
            if caller in special:
                expected = special[caller]
            elif "*staff" in special and not caller.startswith("buyer_key"):
                expected = special["*staff"]
            elif caller == "anonymous" or caller.startswith("buyer_key"):
                expected = 401
            else:
                expected = 404
            response = world.gateway.open(url, method=method, headers=_headers(world, caller), json=body,
                                          buffered=False)  # fmt: skip
            if response.status_code != expected:
                failures.append((caller, method, url, expected, response.status_code, response.get_data()[:200]))
            response.close()
    assert not failures, "\n".join(map(str, failures))
