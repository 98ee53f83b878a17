"""Bad input is a 4xx JSON error naming the field, and nothing is written: imports with bad rows, unknown and
other shops' customers, huge numbers, empty, huge and non-ASCII values."""

from __future__ import annotations

import io

import pytest

from tests.integration.bus.test_service_surface import assert_json_error
from tests.integration.crm.conftest import buy, counts, open_shop


def upload(client, shop_id: str, body: bytes, name: str = "history.csv", **form):
    data = {"file": (io.BytesIO(body), name), "agent_id": "teacher", **form}
    return client.post(f"/shops/{shop_id}/imports", data=data, content_type="multipart/form-data")


def test_an_import_with_bad_rows_names_them_and_writes_nothing(stack):
    shop = open_shop(stack)
    buy(stack, shop, "o1", "c1")
    client = stack.client("crm")
    before = counts(stack)
    bad = ("customer,date,amount,country\nc1,2026-01-01,10.00,CN\nc2,2026-13-01,10.00,CN\n"
           "c3,2026-01-02,10.001,CN\nc4,2026-01-02,1000000000000000000000000000000,CN\n"
           "c5,2026-01-02,5.00,中国\n,2026-01-02,1.00,\n")  # fmt: skip
    body = assert_json_error(upload(client, shop, bad.encode()), 422, "invalid_input")
    rows = body["fields"]["rows"]
    assert {line: sorted(fields) for line, fields in rows.items()} == {
        "3": ["date"], "4": ["amount"], "5": ["amount"], "6": ["country"], "7": ["customer"]}  # fmt: skip
    assert body["invalid_rows"] == 5 and "nothing was imported" in body["message"]
    assert counts(stack) == before
    for name, data, field in (
        ("history.txt", b"customer,date,amount\nc,2026-01-01,1\n", "file"),
        ("history.csv", b"", "file"),
        ("history.csv", b"who,when,how much\nc,2026-01-01,1\n", "file"),
        ("history.xlsx", b"PK\x03\x04 not really", "file"),
        ("history.csv", "customer,date,amount\n张三,2026-01-01,1\n".encode("gb18030"), "file"),
    ):
        assert field in assert_json_error(upload(client, shop, data, name), 422)["fields"], name
    missing = client.post(f"/shops/{shop}/imports", data={"agent_id": "t"}, content_type="multipart/form-data")
    assert "file" in assert_json_error(missing, 422)["fields"]
    no_agent = client.post(f"/shops/{shop}/imports", data={"file": (io.BytesIO(b"x"), "h.csv")},
                           content_type="multipart/form-data")  # fmt: skip
    assert "agent_id" in assert_json_error(no_agent, 422)["fields"]
    assert counts(stack) == before


def test_unknown_and_other_shops_customers_are_not_found(stack):
    mine, theirs = open_shop(stack), open_shop(stack)
    buy(stack, theirs, "o1", "their-customer")
    client = stack.client("crm")
    before = counts(stack)
    for path in ("", "/timeline", "/tags"):
        body = assert_json_error(client.get(f"/shops/{mine}/customers/their-customer{path}"), 404, "not_found")
        assert body["fields"] == {"customer_id": ["unknown customer"]}
    posts = {"/tags": {"tag": "x", "agent_id": "a"}, "/tags/remove": {"tag": "x", "agent_id": "a"},
             "/blacklist": {"reason": "r", "agent_id": "a"}, "/blacklist/lift": {"agent_id": "a"}}  # fmt: skip
    for path, body in posts.items():
        assert_json_error(client.post(f"/shops/{mine}/customers/their-customer{path}", json=body), 404)
        assert_json_error(client.post(f"/shops/{mine}/customers/nobody{path}", json=body), 404)
    assert client.get(f"/shops/{mine}/customers").get_json() == {"total": 0, "items": []}
    unknown_shop = assert_json_error(client.get("/shops/nope/customers"), 404)
    assert unknown_shop["fields"] == {"shop_id": ["unknown shop"]}
    assert counts(stack) == before


@pytest.mark.parametrize("path, query, field", [
    ("/customers", {"limit": 10**30}, "limit"),
    ("/customers", {"offset": -1}, "offset"),
    ("/customers", {"limit": "1e30"}, "limit"),
    ("/customers", {"segment": "vip_whales"}, "segment"),
    ("/customers", {"q": "x" * 65}, "q"),
    ("/customers", {"tag": "t" * 33}, "tag"),
    ("/customers", {"sort": "ltv; DROP TABLE customers"}, "sort"),
    ("/exports/customers", {"format": "pdf"}, "format"),
    ("/care-tasks", {"kind": "spam"}, "kind"),
    ("/metrics", {"from": "2026-01-02T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00"}, "to"),
    ("/metrics", {"from": "yesterday", "to": "2026-01-01T00:00:00+00:00"}, "from"),
    ("/customers/c1/timeline", {"limit": 10**30}, "limit"),
])  # fmt: skip
def test_bad_queries_are_422_naming_the_field(sqlite_stack, path, query, field):
    shop = open_shop(sqlite_stack)
    buy(sqlite_stack, shop, "o1", "c1")
    body = assert_json_error(sqlite_stack.client("crm").get(f"/shops/{shop}{path}", query_string=query), 422)
    assert field in body["fields"], body


@pytest.mark.parametrize("path, payload, field", [
    ("/tags", {"tag": "", "agent_id": "a"}, "tag"),
    ("/tags", {"tag": "   ", "agent_id": "a"}, "tag"),
    ("/tags", {"tag": "标" * 33, "agent_id": "a"}, "tag"),
    ("/tags", {"tag": "bad\u0000tag", "agent_id": "a"}, "tag"),
    ("/tags", {"tag": 10**30, "agent_id": "a"}, "tag"),
    ("/tags", {"tag": "ok", "agent_id": ""}, "agent_id"),
    ("/tags", {"tag": "ok", "agent_id": "a" * 65}, "agent_id"),
    ("/tags", {"tag": "ok", "agent_id": 10**30}, "agent_id"),
    ("/tags", {"tag": "ok", "agent_id": "a", "note": "n" * 501}, "note"),
    ("/tags", {"tag": "ok"}, "agent_id"),
    ("/tags", {"tag": "ok", "agent_id": "a", "extra": 1}, "extra"),
    ("/blacklist", {"reason": "r" * 501, "agent_id": "a"}, "reason"),
    ("/blacklist", {"agent_id": "a"}, "reason"),
])  # fmt: skip
def test_bad_bodies_are_422_naming_the_field_and_write_nothing(stack, path, payload, field):
    shop = open_shop(stack)
    buy(stack, shop, "o1", "c1")
    before = counts(stack)
    response = stack.client("crm").post(f"/shops/{shop}/customers/c1{path}", json=payload)
    assert field in assert_json_error(response, 422)["fields"]
    assert counts(stack) == before


def test_recompute_refuses_contradictions_and_bad_dates(sqlite_stack):
    shop = open_shop(sqlite_stack)
    client = sqlite_stack.client("crm")
    both = {"agent_id": "t", "as_of": "2026-01-01T00:00:00+00:00", "follow_clock": True}
    assert "follow_clock" in assert_json_error(client.post(f"/shops/{shop}/rfm/recompute", json=both), 422)["fields"]
    naive = {"agent_id": "t", "as_of": "2026-01-01T00:00:00"}
    assert "as_of" in assert_json_error(client.post(f"/shops/{shop}/rfm/recompute", json=naive), 422)["fields"]


def test_non_ascii_values_work(sqlite_stack):
    shop = open_shop(sqlite_stack)
    buy(sqlite_stack, shop, "o1", "客户-ü-1")
    client = sqlite_stack.client("crm")
    added = client.post(f"/shops/{shop}/customers/客户-ü-1/tags", json={"tag": "优质 👍", "agent_id": "学生一"})
    assert added.status_code == 201 and added.get_json()["tag"] == "优质 👍"
    found = client.get(f"/shops/{shop}/customers", query_string={"tag": "优质 👍", "q": "ü"}).get_json()
    assert [c["customer_id"] for c in found["items"]] == ["客户-ü-1"]
