"""Two agents claim the same ticket at the same moment: exactly one wins, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

from tests.integration.tickets.conftest import open_shop, seat


def test_concurrent_claims_exactly_one_wins(stack):
    shop_id = open_shop(stack)
    client = stack.client("tickets")
    tickets = []
    for i in range(6):  # nobody online yet: every ticket waits unassigned
        response = client.post(f"/shops/{shop_id}/tickets", json={"customer_id": f"c{i}", "body": "在吗"})
        assert response.status_code == 201 and response.get_json()["assignee_id"] is None
        tickets.append(response.get_json()["id"])
    stack.client("tickets").put(f"/shops/{shop_id}/queue-settings", json={"per_agent_cap": 1})
    agents = ["a1", "a2", "a3", "a4"]
    for agent in agents:
        seat(stack, shop_id, agent, status="away")  # seated and awake, but taking no routed work
    for agent in agents:
        # online with a cap of 1: each takes one waiting ticket, two of the six stay in the queue
        stack.client("tickets").post(f"/shops/{shop_id}/agents/{agent}/status", json={"status": "online"})
    queue = client.get(f"/shops/{shop_id}/tickets?assignee=none&status=active").get_json()["items"]
    assert len(queue) == 2

    for ticket in queue:
        barrier = threading.Barrier(len(agents))
        results: dict[str, tuple[int, dict]] = {}

        def claim(agent: str, ticket_id: str = ticket["id"], barrier=barrier, results=results) -> None:
            own_client = stack.client("tickets")
            barrier.wait()
            response = own_client.post(f"/shops/{shop_id}/tickets/{ticket_id}/claim", json={"agent_id": agent})
            results[agent] = (response.status_code, response.get_json())

        threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 409, 409, 409], results
        [winner] = [agent for agent, (status, _) in results.items() if status == 200]
        for status, body in results.values():
            if status == 409:
                assert body["fields"]["agent_id"] == [f"ticket is held by {winner}"]
        final = client.get(f"/shops/{shop_id}/tickets/{ticket['id']}").get_json()
        assert final["assignee_id"] == winner
