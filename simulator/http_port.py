"""``ShopPort`` over HTTP: one shop's buyers acting through the gateway's buyer API and nothing else
(``/api/v1/buyer/shops/<shop_id>/...``, the shop's buyer key, each buyer named by ``X-Customer-Id``).

The mapping of each method to its route is the table in docs/simulator.md. What buyers see comes back through
``simulator.buyer_view`` (``observe``). A scenario's scripted injections go to the gateway's route for the run
(``POST /internal/scenario-runs/<run_id>/injections``, the internal credential; ``simulator.scripted``), which
records them as the run's and sends them on like an instructor's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from shoplab.contracts.tickets import DISPUTE_REASONS
from simulator import scripted
from simulator.buyer_view import BuyerView
from simulator.gateway_http import BuyerApi
from simulator.port import Checkpoint, Injection, Observation, OrderLine, OrderView, Product, Refused

NAMED_DISPUTE_REASONS = frozenset(DISPUTE_REASONS) - {"other"}  # a buyer's own reason travels as "other"


def _order_view(order: Mapping[str, Any]) -> OrderView:
    return OrderView(
        id=order["id"],
        number=order["order_no"],
        state=order["state"],
        total=order["total"],
        currency=order["currency"],
        placed_at=datetime.fromisoformat(order["placed_at"]),
        pay_by=datetime.fromisoformat(order["pay_by"]),
        lines=tuple(OrderLine(line["sku"], line["quantity"]) for line in order.get("lines") or ()),
    )


def _product(row: Mapping[str, Any]) -> Product:
    skus = row.get("skus") or []
    price = min((sku["price"] for sku in skus), key=float, default="0.00")
    return Product(
        row["product_id"], row["title"], row.get("title_zh") or row["title"], row["category"], price,
        tuple(sku["sku"] for sku in skus),
    )  # fmt: skip


class HttpShopPort:
    """One shop, as its buyers see it through the gateway."""

    def __init__(self, api: BuyerApi, shop_time: Callable[[datetime], datetime], run_id: str | None = None) -> None:
        self.api = api
        self.run_id = run_id  # the scenario run whose scripted injections this port sends (none: it sends none)
        self.view = BuyerView(api, shop_time)
        self.addresses: dict[str, dict[str, Any]] = {}

    # -- buyers and the catalog ---------------------------------------------------------------------------------
    def register_buyer(self, card: Mapping[str, Any]) -> None:
        details = {key: card[key] for key in ("name", "country", "timezone", "language")}
        self.api.call("PUT", f"/customers/{card['customer_id']}", body=details)
        self.addresses[card["customer_id"]] = dict(card["address"])
        self.view.buyer_registered(card["customer_id"])  # their care items are theirs to read

    def browse(self, buyer: str, category: str | None = None) -> Sequence[Product]:
        rows = self.api.call("GET", "/products", params={"category": category} if category else None)
        rows = rows["items"] if isinstance(rows, dict) else rows
        return [_product(row) for row in rows if row.get("skus")]

    # -- conversations --------------------------------------------------------------------------------------------
    def open_conversation(self, buyer: str, text: str, language: str, *, kind: str, order_id: str | None) -> str:
        body = {"body": text, "kind": kind, "language": language, **({"order_id": order_id} if order_id else {})}
        ticket = self.api.call("POST", "/tickets", buyer, body)
        ticket = ticket.get("ticket", ticket)
        self.view.conversation_opened(buyer, ticket)
        return ticket["id"]

    def write_message(self, buyer: str, conversation_id: str, text: str) -> None:
        answer = self.api.call("POST", f"/tickets/{conversation_id}/messages", buyer, {"body": text})
        watch = self.view.conversations.get(conversation_id)
        if watch is not None and isinstance(answer, dict) and answer.get("message"):
            watch.seen.add(answer["message"]["id"])
            watch.status = (answer.get("ticket") or {}).get("status", watch.status)

    def rate_conversation(self, buyer: str, conversation_id: str, score: int, comment: str) -> None:
        self.api.call("POST", f"/tickets/{conversation_id}/csat", buyer, {"score": score, "comment": comment[:1000]})

    # -- orders ---------------------------------------------------------------------------------------------------
    def place_order(self, buyer: str, lines: Sequence[OrderLine]) -> OrderView:
        body = {
            "address": self.addresses[buyer],
            "lines": [{"sku": line.sku, "quantity": line.quantity} for line in lines],
        }
        order = self.api.call("POST", "/orders", buyer, body)
        self.view.order_placed(buyer, order["id"])
        return _order_view(order)

    def pay(self, buyer: str, order_id: str, method: str, *, succeed: bool, failure_reason: str | None) -> OrderView:
        body = {"method": method, "result": "succeeded" if succeed else "failed"}
        if not succeed:
            body["failure_reason"] = failure_reason or "declined"
        answer = self.api.call("POST", f"/orders/{order_id}/payments", buyer, body)
        return _order_view(answer["order"])

    def cancel_order(self, buyer: str, order_id: str) -> OrderView:
        return _order_view(self.api.call("POST", f"/orders/{order_id}/cancel", buyer, {}))

    def track(self, buyer: str, order_id: str) -> Sequence[Checkpoint]:
        tracking = self.api.call("GET", f"/orders/{order_id}/tracking", buyer)
        return [
            Checkpoint(datetime.fromisoformat(event["occurred_at"]), event["status"])
            for parcel in tracking.get("shipments") or []
            for event in parcel.get("events") or []
        ]

    def confirm_receipt(self, buyer: str, order_id: str) -> None:
        self.api.call("POST", f"/orders/{order_id}/confirm-receipt", buyer, {})

    # -- after-sale ---------------------------------------------------------------------------------------------
    def request_refund(self, buyer: str, order_id: str, *, kind: str, reason: str, note: str) -> str:
        if kind == "return_and_refund":
            row = self.api.call("POST", f"/orders/{order_id}/returns", buyer, {"reason": reason, "note": note[:500]})
            self.view.after_sale_opened(order_id, "return", row["id"])
        else:
            row = self.api.call(
                "POST", f"/orders/{order_id}/refunds", buyer, {"kind": kind, "reason": reason, "note": note[:500]}
            )
            self.view.after_sale_opened(order_id, "refund", row["id"])
        return row["id"]

    def ship_back(self, buyer: str, order_id: str, return_id: str, carrier: str, tracking_no: str) -> None:
        body = {"carrier": carrier, "tracking_no": tracking_no}
        self.api.call("POST", f"/orders/{order_id}/returns/{return_id}/ship-back", buyer, body)

    def open_dispute(self, buyer: str, order_id: str, *, reason: str, amount: str, statement: str) -> str:
        body = {
            "order_id": order_id,
            "reason": reason if reason in NAMED_DISPUTE_REASONS else "other",
            "amount_requested": amount,
            "statement": statement,
        }
        dispute = self.api.call("POST", "/disputes", buyer, body)
        self.view.dispute_opened(order_id, dispute["id"])
        return dispute["id"]

    def answer_dispute(self, buyer: str, dispute_id: str, *, accept: bool, note: str) -> None:
        self.api.call("POST", f"/disputes/{dispute_id}/decision", buyer, {"accept": accept, "comment": note})

    # -- reviews ------------------------------------------------------------------------------------------------
    def post_review(
        self, buyer: str, order_id: str, sku: str, *, stars: int, scores: Mapping[str, int], text: str
    ) -> str:
        body = {"sku": sku, "stars": stars, "scores": dict(scores), "text": text}
        review = self.api.call("POST", f"/orders/{order_id}/reviews", buyer, body)
        self.view.review_posted(buyer, order_id, review["id"])
        return review["id"]

    def revise_review(self, buyer: str, review_id: str, *, stars: int, scores: Mapping[str, int], text: str) -> None:
        body = {"stars": stars, "scores": dict(scores), "text": text}
        self.api.call("POST", f"/reviews/{review_id}/revision", buyer, body)

    # -- what buyers see; injections -------------------------------------------------------------------------
    def observe(self, cursor: str | None) -> tuple[Sequence[Observation], str | None]:
        return self.view.observe(), cursor

    def inject(self, injection: Injection) -> Mapping[str, str]:
        if self.run_id is None:
            raise Refused(501, "no scenario run to inject for: a port without a run sends no injections")
        return scripted.send(self.api.http, self.run_id, injection)
