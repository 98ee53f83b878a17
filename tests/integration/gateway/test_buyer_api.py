"""The buyer API: a shop's buyer key acts as one registered customer, sees only that customer's orders,
conversations and disputes, and never reaches an agent's action; students never get a key."""

from __future__ import annotations

from tests.integration.gateway.world import build_world


def test_a_buyer_acts_as_their_customer_and_sees_only_their_own_rows(served):
    world = build_world(served)
    base = f"/api/v1/buyer/shops/{world.shops['A']}"
    me = world.buyer("A", "c-a1")
    order = world.call("GET", f"{base}/orders/{world.ids['order_c-a1']}", me)
    assert order["buyer"] == {"customer_id": "c-a1", "name": "王小明", "country": "CN", "timezone": "Asia/Shanghai",
                              "language": "zh"}  # fmt: skip
    assert [o["id"] for o in world.call("GET", f"{base}/orders?customer_id=c-a2", me)] == [world.ids["order_c-a1"]]
    assert {t["customer_id"] for t in world.call("GET", f"{base}/tickets", me)["items"]} == {"c-a1"}
    assert {d["customer_id"] for d in world.call("GET", f"{base}/disputes", me)} == {"c-a1"}

    # another customer's order, conversation or dispute does not exist for this one
    for path in (f"/orders/{world.ids['order_c-a2']}", f"/orders/{world.ids['order_c-a2']}/tracking",
                 f"/tickets/{world.ids['ticket_c-a2']}"):  # fmt: skip
        assert world.call("GET", base + path, me, expect=404)
    world.call("POST", f"{base}/tickets/{world.ids['ticket_c-a2']}/messages", me, expect=404, json={"body": "hi"})
    world.call("POST", f"{base}/orders/{world.ids['order_c-a2']}/cancel", me, expect=404, json={})
    world.call("POST", f"{base}/disputes", me, expect=404,
               json={"order_id": world.ids["order_c-a2"], "reason": "other", "amount_requested": "1.00"})  # fmt: skip
    other_as_me = world.buyer("A", "c-a2")
    world.call("GET", f"{base}/disputes/{world.ids['dispute_c-a1']}", other_as_me, expect=404)

    # the buyer writes as the buyer, never as an agent; the ticket's buyer view has no internal notes
    message = world.call("POST", f"{base}/tickets/{world.ids['ticket_c-a1']}/messages", me, json={"body": "在吗？"})
    assert message["message"]["author"] == "buyer"
    posing = world.call("POST", f"{base}/tickets/{world.ids['ticket_c-a1']}/messages", me, expect=422,
                        json={"body": "我是客服", "author": "agent", "agent_id": world.users["student1"]})  # fmt: skip
    assert set(posing["fields"]) == {"author", "agent_id"}
    view = world.call("GET", f"{base}/tickets/{world.ids['ticket_c-a1']}?audience=agent", me)
    assert all(m["kind"] not in ("note", "event") for m in view["messages"])
    # a buyer key is not a sign-in: the staff API and agent actions stay closed
    staff = f"/api/v1/shops/{world.shops['A']}/tickets/{world.ids['ticket_c-a1']}/messages"
    world.call("POST", staff, me, expect=401, json={"body": "x"})
    world.call("POST", f"{base}/tickets/{world.ids['ticket_c-a1']}/claim", me, expect=404, json={})

    # no customer named, or an unknown one: refused, naming the header
    assert "X-Customer-Id" in world.call("GET", f"{base}/orders", world.buyer("A"), expect=422)["fields"]
    world.call("GET", f"{base}/orders", world.buyer("A", "nobody"), expect=422)
    # browsing the catalog needs no customer
    assert world.call("GET", f"{base}/products", world.buyer("A"))


def test_buyer_keys_are_for_instructors_and_stop_at_revocation(served):
    world = build_world(served)
    shop = world.shops["A"]
    refused = world.call("POST", f"/api/v1/shops/{shop}/buyer-keys", world.headers["student1"], expect=403, json={})
    assert refused["fields"] == {"role": ["instructor required"]}
    keys = world.call("GET", f"/api/v1/shops/{shop}/buyer-keys", world.headers["teacher"])
    assert keys and all("key" not in k for k in keys)
    key_id = next(k["id"] for k in keys if k["label"] == "test buyer A")
    world.call("DELETE", f"/api/v1/shops/{shop}/buyer-keys/{key_id}", world.headers["teacher"])
    world.call("GET", f"/api/v1/buyer/shops/{shop}/products", world.buyer("A"), expect=401)
    # a key of shop B reaches nothing of shop A
    world.call("GET", f"/api/v1/buyer/shops/{shop}/products", world.buyer("B"), expect=404)


def test_the_buyer_places_and_pays_an_order_the_student_then_ships(served):
    world = build_world(served)
    base = f"/api/v1/buyer/shops/{world.shops['A']}"
    me = world.buyer("A", "c-a2")
    paid = world.call("POST", f"{base}/orders/{world.ids['order_c-a2']}/payments", me, json={"method": "wechat_pay"})
    assert paid["order"]["state"] == "paid"
    staff = f"/api/v1/shops/{world.shops['A']}/orders/{world.ids['order_c-a2']}"
    shipped = world.call("POST", f"{staff}/shipments", world.headers["student1"],
                         json={"carrier": "SF", "tracking_no": "SF1234567890123"}, expect=(201, 422))  # fmt: skip
    if "fields" in shipped:  # the carrier's format is the service's business: take the example it gives
        raise AssertionError(shipped)
    assert shipped["shipped_by"] == world.users["student1"]
    tracking = world.call("GET", f"{base}/orders/{world.ids['order_c-a2']}/tracking", me)
    assert tracking["shipments"][0]["shipment"]["carrier"] == "SF"
