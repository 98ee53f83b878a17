"""Joined views for the work beyond the chat queue, one call per screen (same rules as ``gateway/joined.py``: asked
in parallel, answered within 2 s, a part that did not answer is named in ``unavailable``):

- an order with everything about it (the panel a student opens from a work list when no conversation is about it);
- the work lists: unpaid orders that may be reminded now, refunds and returns waiting for the shop, open disputes
  with their deadlines — each row with the conversation it belongs to, when there is one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gateway.joined import (
    CUSTOMER_PARTS,
    Ask,
    Deadline,
    ask_all,
    customer_asks,
    meanwhile,
    order_parts,
)

OPEN_DISPUTES = ("awaiting_seller", "awaiting_buyer", "negotiating")
# what waits for the shop: a refund to decide; a return to decide, to receive once shipped back, to refund or
# exchange once received
WAITING_REFUNDS = ("requested",)
WAITING_RETURNS = ("requested", "shipped_back", "received")
AFTER_SALE_KINDS = ("refund", "return")
MAX_AFTER_SALE_ORDERS = 40


def order_view(shop_id: str, order_id: str) -> tuple[dict, int]:
    """An order with its payments, reminders, tracking, refunds, returns and disputes, and the conversations about
    it (newest first)."""
    deadline = Deadline()
    unavailable: dict[str, str] = {}
    tickets = meanwhile(
        ask_all, shop_id, {"tickets": Ask("tickets", "/tickets", {"order_id": order_id, "limit": 20})}, deadline
    )
    view: dict[str, Any] = order_parts(shop_id, order_id, deadline, unavailable)
    if view["order"] is None and "order" not in unavailable:
        return {"error": "not_found", "message": f"no order {order_id}", "fields": {"order_id": ["unknown"]}}, 404
    if isinstance(view.get("disputes"), list):
        view["disputes"] = [d for d in view["disputes"] if d.get("order_id") == order_id]
    listed = tickets.result()
    unavailable.update(listed.unavailable)
    view["tickets"] = (listed.bodies.get("tickets") or {}).get("items")
    view.update(dict.fromkeys(CUSTOMER_PARTS))
    customer_id = (view["order"] or {}).get("customer_id")
    if customer_id:  # the buyer's CRM profile and reviews, as beside a conversation
        answers = ask_all(shop_id, customer_asks(customer_id), deadline)
        unavailable.update(answers.unavailable)
        view.update({part: answers.bodies.get(part) for part in CUSTOMER_PARTS})
    view["unavailable"] = unavailable
    return view, 200


def worklists(shop_id: str, shop_now: str) -> dict:
    """What waits for the shop besides the chats: reminders, after-sale decisions, disputes."""
    deadline = Deadline()
    tasks = {"status": "active", "kind": [*AFTER_SALE_KINDS, "payment_reminder"], "limit": 500}
    first = ask_all(
        shop_id,
        {
            "due": Ask("orders", "/reminders/due", {"limit": 100}),
            "disputes": Ask("tickets", "/disputes"),
            "tasks": Ask("tickets", "/tickets", tasks),
        },
        deadline,
        deadline.first_step,
    )
    task_rows = (first.bodies.get("tasks") or {}).get("items", [])
    tickets_by_order: dict[str, dict[str, str]] = {}
    for ticket in task_rows:
        if ticket.get("order_id"):
            tickets_by_order.setdefault(ticket["order_id"], {}).setdefault(ticket["kind"], ticket["id"])
    after_sale_orders = sorted(
        {t["order_id"] for t in task_rows if t["kind"] in AFTER_SALE_KINDS and t.get("order_id")}
    )[:MAX_AFTER_SALE_ORDERS]
    asks: dict[str, Ask] = {}
    for order_id in after_sale_orders:
        path = f"/orders/{quote(order_id, safe='')}"
        asks[f"refunds:{order_id}"] = Ask("orders", f"{path}/refunds")
        asks[f"returns:{order_id}"] = Ask("orders", f"{path}/returns")
    rest = ask_all(shop_id, asks, deadline)
    buyers = {t["order_id"]: (t.get("buyer_name"), t.get("order_no")) for t in task_rows if t.get("order_id")}
    refunds, returns = [], []
    for order_id in after_sale_orders:
        name, order_no = buyers.get(order_id, (None, None))
        links = tickets_by_order.get(order_id, {})
        for refund in rest.bodies.get(f"refunds:{order_id}") or []:
            if refund.get("status") in WAITING_REFUNDS:
                refunds.append({**refund, "buyer_name": name, "order_no": order_no, "ticket_id": links.get("refund")})
        for item in rest.bodies.get(f"returns:{order_id}") or []:
            if item.get("status") in WAITING_RETURNS:
                returns.append({**item, "buyer_name": name, "order_no": order_no, "ticket_id": links.get("return")})
    refunds.sort(key=lambda r: r.get("requested_at") or "")
    returns.sort(key=lambda r: r.get("requested_at") or "")
    due = [
        {**row, "ticket_id": tickets_by_order.get(row["order_id"], {}).get("payment_reminder")}
        for row in first.bodies.get("due") or []
    ]
    disputes = [d for d in first.bodies.get("disputes") or [] if d.get("status") in OPEN_DISPUTES]
    disputes.sort(key=lambda d: d.get("respond_by") or d.get("escalate_at") or "")
    return {
        "shop_now": shop_now,
        "reminders_due": due,
        "refunds": refunds,
        "returns": returns,
        "disputes": disputes,
        "unavailable": {**first.unavailable, **rest.unavailable},
    }
