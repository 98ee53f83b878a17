"""The orders API is documented in /openapi.json, with the paths the issue names."""

PATHS = [
    "/shops/{shop_id}/products",
    "/shops/{shop_id}/orders",
    "/shops/{shop_id}/orders/{order_id}",
    "/shops/{shop_id}/orders/{order_id}/payments",
    "/shops/{shop_id}/reminders/due",
    "/shops/{shop_id}/orders/{order_id}/reminders",
    "/shops/{shop_id}/orders/{order_id}/shipments",
    "/shops/{shop_id}/orders/{order_id}/tracking",
    "/shops/{shop_id}/orders/{order_id}/refunds",
    "/shops/{shop_id}/orders/{order_id}/returns",
    "/shops/{shop_id}/metrics",
]


def test_every_route_of_the_issue_is_in_the_api_document(sqlite_stack):
    # SQLite only: the document is built from the blueprints and schemas, whatever the database.
    document = sqlite_stack.client("orders").get("/openapi.json").get_json()
    for path in PATHS:
        assert path in document["paths"], path
    place = document["paths"]["/shops/{shop_id}/orders"]["post"]
    assert "201" in place["responses"] and "reserved" in place["summary"] + place.get("description", "")
    assert "PlacedOrder" in str(place["responses"]["201"])
