"""What a shop's buyers can see of their orders, read back from the buyer API: the order itself (cancelled,
delivered), its payment reminders, its parcels (shipped, reshipped, exceptions), its refunds and returns, and its
disputes. Part of the ``observe`` half of the HTTP port (``simulator.buyer_view``), which says when to read an order
again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from simulator.gateway_http import BuyerApi
from simulator.port import Observation
from simulator.watches import OrderWatch


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class OrderReads:
    """The order half of ``BuyerView``: what changed on an order its buyer has, as observations."""

    api: BuyerApi
    orders: dict[str, OrderWatch]
    _at: Callable[..., Observation]  # an observation at a shop time the service recorded

    def _order(self, order_id: str) -> list[Observation]:
        watch = self.orders[order_id]
        order = self.api.call("GET", f"/orders/{order_id}", watch.buyer)
        seen: list[Observation] = []
        if order.get("reminder_count", 0) > watch.reminders:
            reminders = self.api.call("GET", f"/orders/{order_id}/reminders", watch.buyer)
            for number, reminder in enumerate(sorted(reminders, key=lambda r: r["sent_at"]), start=1):
                if number > watch.reminders:
                    seen.append(
                        self._at(
                            "reminder",
                            watch.buyer,
                            parse_time(reminder["sent_at"]),
                            order_id=order_id,
                            text=reminder["text"],
                            facts={
                                "channel": reminder["channel"],
                                "number": number,
                                "agent_id": reminder.get("sent_by"),
                            },
                        )
                    )
            watch.reminders = max(watch.reminders, len(reminders))
        if order["state"] == "cancelled" and watch.state != "cancelled":
            seen.append(
                self._at(
                    "order_cancelled",
                    watch.buyer,
                    parse_time(order.get("cancelled_at")),
                    order_id=order_id,
                    facts={"reason": order.get("cancel_reason")},
                )
            )
        if order.get("shipped_at"):
            seen += self._parcels(order_id, watch)
        if order.get("delivered_at") and not watch.delivered:
            watch.delivered = True
            seen.append(self._at("delivered", watch.buyer, parse_time(order["delivered_at"]), order_id=order_id))
        watch.state = order["state"]
        if watch.after_sale:
            seen += self._after_sale(order_id, watch)
        if watch.disputes:
            seen += self._disputes(order_id, watch)
        return seen

    def _parcels(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        tracking = self.api.call("GET", f"/orders/{order_id}/tracking", watch.buyer)
        seen: list[Observation] = []
        for parcel in tracking.get("shipments") or []:
            shipment = parcel["shipment"]
            if shipment["id"] not in watch.shipments:
                watch.shipments.add(shipment["id"])
                again = shipment.get("replaces_shipment_id") or shipment.get("kind") not in (None, "original")
                kind = "reshipped" if again else "shipped"
                facts = {
                    "carrier": shipment["carrier"],
                    "tracking_no": shipment["tracking_no"],
                    "expected_by": parse_time(parcel.get("estimated_delivery_to")),
                    "late": bool(shipment.get("late")),
                }
                seen.append(
                    self._at(kind, watch.buyer, parse_time(shipment["shipped_at"]), order_id=order_id, facts=facts)
                )
            for event in parcel.get("events") or []:
                key = (shipment["id"], f"{event['status']}@{event['occurred_at']}")
                if event.get("kind") == "exception" and key not in watch.exceptions:
                    watch.exceptions.add(key)
                    seen.append(
                        self._at(
                            "parcel_exception",
                            watch.buyer,
                            parse_time(event["occurred_at"]),
                            order_id=order_id,
                            facts={"kind": event["status"]},
                        )
                    )
        return seen

    def _after_sale(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        seen: list[Observation] = []
        rows = {}
        for what in {what for what, _ in watch.after_sale.values()}:
            rows.update({row["id"]: row for row in self.api.call("GET", f"/orders/{order_id}/{what}s", watch.buyer)})
        for ident, (what, was) in list(watch.after_sale.items()):
            row = rows.get(ident)
            if row is None or row["status"] == was:
                continue
            watch.after_sale[ident] = (what, row["status"])
            decided = parse_time(row.get("decided_at"))
            if was == "requested" and row["status"] != "requested" and row.get("decided_at"):
                decision = "rejected" if row["status"] == "rejected" else "approved"
                return_id = ident if what == "return" and decision == "approved" else None
                facts = {"decision": decision, "return_id": return_id, "agent_id": row.get("decided_by")}
                seen.append(
                    self._at(
                        "refund_decided",
                        watch.buyer,
                        decided,
                        order_id=order_id,
                        ref=ident,
                        text=row.get("decision_note") or "",
                        facts=facts,
                    )
                )
            if row["status"] in ("completed", "refunded"):
                amount = row.get("amount")
                seen.append(
                    self._at(
                        "refunded",
                        watch.buyer,
                        parse_time(row.get("completed_at")),
                        order_id=order_id,
                        ref=ident,
                        facts={"amount": amount},
                    )
                )
        return seen

    def _disputes(self, order_id: str, watch: OrderWatch) -> list[Observation]:
        seen: list[Observation] = []
        for dispute in self.api.call("GET", "/disputes", watch.buyer):
            if dispute["id"] not in watch.disputes:
                continue
            proposed, ruled = watch.disputes[dispute["id"]]
            proposal, ruling = dispute.get("proposal"), dispute.get("ruling")
            if proposal and not proposed:
                seen.append(
                    self._at(
                        "dispute_proposed",
                        watch.buyer,
                        parse_time(dispute.get("seller_responded_at")),
                        order_id=order_id,
                        ref=dispute["id"],
                        text=proposal.get("note") or "",
                        facts={
                            "proposal": proposal["kind"],
                            "amount": proposal.get("amount"),
                            "agent_id": proposal.get("agent_id"),
                        },
                    )
                )
            if ruling and not ruled:
                seen.append(
                    self._at(
                        "dispute_ruled",
                        watch.buyer,
                        parse_time(ruling.get("ruled_at")),
                        order_id=order_id,
                        ref=dispute["id"],
                        facts={"outcome": ruling["outcome"], "amount": ruling.get("refund_amount")},
                    )
                )
            watch.disputes[dispute["id"]] = (bool(proposal), bool(ruling))
        return seen
