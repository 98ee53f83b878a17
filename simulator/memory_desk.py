"""The staff's side of the in-memory shop: what a student (or a scripted one in the tests) does, each act shown to
the buyer concerned as the buyer API would show it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from simulator.memory_shop import MemoryConversation, MemoryOrder, MemoryShop
from simulator.port import Checkpoint, Refused


class MemoryDesk:
    def __init__(self, shop: MemoryShop) -> None:
        self.shop = shop

    # -- what waits -----------------------------------------------------------------------------------------------
    def unanswered(self) -> list[MemoryConversation]:
        """Conversations whose buyer waits for an answer, longest waiting first."""
        waiting = [c for c in self.shop.conversations.values() if c.waiting_since_wall is not None]
        return sorted(waiting, key=lambda c: (c.waiting_since_wall, c.id))

    def orders(self, state: str) -> list[MemoryOrder]:
        return [order for order in self.shop.orders.values() if order.state == state]

    def requested_refunds(self) -> list[tuple[str, dict[str, Any]]]:
        return [(key, r) for key, r in self.shop.refunds.items() if r["status"] == "requested"]

    def returns_shipped_back(self) -> list[tuple[str, dict[str, Any]]]:
        return [(key, r) for key, r in self.shop.refunds.items() if r["status"] == "shipped_back"]

    def disputes_awaiting(self) -> list[tuple[str, dict[str, Any]]]:
        return [(key, d) for key, d in self.shop.disputes.items() if d["status"] in ("awaiting_seller", "negotiating")]

    def bad_reviews(self, below: int = 4) -> list[tuple[str, dict[str, Any]]]:
        return [(key, r) for key, r in self.shop.reviews.items() if r["stars"] < below and not r.get("contacted")]

    # -- acts -----------------------------------------------------------------------------------------------------
    def reply(self, conversation_id: str, text: str) -> None:
        shop = self.shop
        conversation = shop.conversations[conversation_id]
        waited = conversation.waiting_since_wall
        delay = (shop.wall - waited).total_seconds() if waited is not None else None
        conversation.waiting_since_wall = None
        conversation.messages.append(("agent", text))
        shop.show(
            "reply", conversation.buyer, conversation_id=conversation.id, text=text, facts={"wall_delay_seconds": delay}
        )
        shop.event("replied", conversation.buyer, delay=round(delay) if delay is not None else None)

    def resolve(self, conversation_id: str) -> None:
        conversation = self.shop.conversations[conversation_id]
        conversation.status = "resolved"
        self.shop.show("ticket_resolved", conversation.buyer, conversation_id=conversation.id)
        self.shop.event("resolved", conversation.buyer)

    def remind(self, order_id: str, text: str, channel: str = "chat") -> None:
        order = self.shop.orders[order_id]
        if order.state != "unpaid":
            raise Refused(409, f"order is {order.state}")
        order.reminders += 1
        self.shop.show(
            "reminder", order.buyer, order_id=order.id, text=text, facts={"channel": channel, "number": order.reminders}
        )
        self.shop.event("reminded", order.buyer, number=order.reminders)

    def ship(self, order_id: str, carrier: str, tracking_no: str, promised_days: float, takes_days: float) -> None:
        shop = self.shop
        order = shop.orders[order_id]
        if order.state != "paid":
            raise Refused(409, f"order is {order.state}")
        order.state, order.shipped_at = "shipped", shop.now
        order.deliver_at = shop.now + timedelta(days=takes_days)
        order.checkpoints.append(Checkpoint(shop.now, "picked_up"))
        expected = shop.now + timedelta(days=promised_days)
        shop.show(
            "shipped",
            order.buyer,
            order_id=order.id,
            facts={"carrier": carrier, "tracking_no": tracking_no, "expected_by": expected, "late": False},
        )
        shop.event("shipped", order.buyer, carrier=carrier)

    def reship(self, order_id: str, carrier: str, tracking_no: str, takes_days: float) -> None:
        shop = self.shop
        order = shop.orders[order_id]
        order.deliver_at = shop.now + timedelta(days=takes_days)
        shop.show(
            "reshipped",
            order.buyer,
            order_id=order.id,
            facts={"carrier": carrier, "tracking_no": tracking_no, "expected_by": order.deliver_at},
        )
        shop.event("reshipped", order.buyer)

    def decide_refund(self, refund_id: str, approve: bool, note: str) -> None:
        shop = self.shop
        refund = shop.refunds[refund_id]
        order = shop.orders[refund["order"]]
        refund["status"] = "approved" if approve else "rejected"
        return_id = None
        if approve and refund["kind"] == "return_and_refund":
            return_id = refund["return"] = f"t{refund_id}"
        shop.show(
            "refund_decided",
            order.buyer,
            order_id=order.id,
            ref=refund_id,
            text=note,
            facts={"decision": refund["status"], "return_id": return_id},
        )
        shop.event("refund_decided", order.buyer, decision=refund["status"])
        if approve and return_id is None:
            self._refunded(refund_id)

    def receive_return(self, refund_id: str) -> None:
        self._refunded(refund_id)

    def _refunded(self, refund_id: str) -> None:
        shop = self.shop
        refund = shop.refunds[refund_id]
        order = shop.orders[refund["order"]]
        refund["status"] = "refunded"
        shop.show("refunded", order.buyer, order_id=order.id, ref=refund_id, facts={"amount": order.total})
        shop.event("refunded", order.buyer)

    def propose(self, dispute_id: str, proposal: str, amount: str, text: str) -> None:
        shop = self.shop
        dispute = shop.disputes[dispute_id]
        dispute["status"] = "awaiting_buyer"
        shop.show(
            "dispute_proposed",
            dispute["buyer"],
            order_id=dispute["order"],
            ref=dispute_id,
            text=text,
            facts={"proposal": proposal, "amount": amount},
        )
        shop.event("dispute_proposed", dispute["buyer"], proposal=proposal)

    def contact_review(self, review_id: str, text: str) -> None:
        shop = self.shop
        review = shop.reviews[review_id]
        review["contacted"] = True
        shop.show("review_contact", review["buyer"], order_id=review["order"], ref=review_id, text=text)
        shop.event("review_contacted", review["buyer"])

    def care(self, buyer: str, text: str) -> None:
        self.shop.show("care_message", buyer, text=text, facts={"channel": "chat"})
        self.shop.event("care_sent", buyer)
