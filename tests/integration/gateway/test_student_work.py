"""A student works their shop's queue through the gateway alone, as the README shows with curl; the acting agent is
always the signed-in student."""

from __future__ import annotations

from tests.integration.gateway.world import build_world


def test_a_student_works_a_conversation_and_its_order(served):
    world = build_world(served)
    me, shop = world.headers["student1"], world.shops["A"]
    base = f"/api/v1/shops/{shop}"
    online = world.call("POST", f"{base}/agents/me/status", me, json={"status": "online"})
    assert online["agent_id"] == world.users["student1"] and online["status"] == "online"

    queue = world.call("GET", f"{base}/tickets?status=active", me)
    assert {t["id"] for t in queue["items"]} == {
        world.ids["ticket_c-a1"],
        world.ids["ticket_c-a2"],
        _dispute_ticket(world),
        world.ids["follow_up_c-a1"],  # the world's 2-star review
    }
    ticket_id = world.ids["ticket_c-a1"]
    world.call("POST", f"{base}/tickets/{ticket_id}/claim", me, expect=(200, 409))
    reply = world.call("POST", f"{base}/tickets/{ticket_id}/messages", me, json={"body": "您好，今天发货。"})
    assert reply["message"]["agent_id"] == world.users["student1"] and reply["message"]["author"] == "agent"

    # a body naming another agent is refused, and nothing is written
    other = world.users["student2"]
    refused = world.call("POST", f"{base}/tickets/{ticket_id}/messages", me, expect=422,
                         json={"body": "冒名", "agent_id": other})  # fmt: skip
    assert "agent_id" in refused["fields"]
    refused = world.call("POST", f"{base}/tickets/{ticket_id}/messages", me, expect=422,
                         json={"body": "冒名", "author": "buyer"})  # fmt: skip
    assert "author" in refused["fields"]

    view = world.call("GET", f"{base}/conversations/{ticket_id}", me)
    assert view["ticket"]["id"] == ticket_id and view["order"]["id"] == world.ids["order_c-a1"]
    assert view["order"]["state"] == "paid" and view["payments"][0]["result"] == "succeeded"
    assert view["unavailable"] == {} and view["disputes"][0]["id"] == world.ids["dispute_c-a1"]
    bodies = [m["body"] for m in view["ticket"]["messages"]]
    assert "您好，今天发货。" in bodies


def _dispute_ticket(world) -> str:
    dispute = world.call("GET", f"/api/v1/shops/{world.shops['A']}/disputes/{world.ids['dispute_c-a1']}",
                         world.headers["student1"])  # fmt: skip
    return dispute["ticket_id"]
