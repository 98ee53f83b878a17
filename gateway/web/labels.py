"""The words a page shows for the API's codes (ticket kinds, statuses, order states, reasons ...), in the page's
language: every one goes through the catalogue. An unknown code is shown as it is, so a new code from a service is
never hidden."""

from __future__ import annotations

from gateway.web.language import gettext


def _l(message: str) -> str:
    """Marks a string for the catalogue (``python -m gateway.web.catalog`` extracts it); translated when shown."""
    return message


LABELS: dict[str, dict[str, str]] = {
    "kind": {
        "pre_sale": _l("Pre-sale"),
        "order": _l("Order question"),
        "payment_reminder": _l("Payment reminder"),
        "logistics": _l("Parcel"),
        "refund": _l("Refund"),
        "return": _l("Return"),
        "dispute": _l("Dispute"),
        "review_follow_up": _l("Review follow-up"),
        "complaint": _l("Complaint"),
        "care": _l("Customer care"),
        "flagged_order": _l("Blacklisted buyer's order"),
    },
    "ticket_status": {
        "new": _l("Awaiting first reply"),
        "open": _l("In progress"),
        "pending": _l("Pending on buyer"),
        "resolved": _l("Resolved"),
        "closed": _l("Closed"),
        "active": _l("All active"),
    },
    "order_state": {
        "unpaid": _l("Unpaid"),
        "paid": _l("Paid, to ship"),
        "shipped": _l("Shipped"),
        "delivered": _l("Delivered"),
        "completed": _l("Completed"),
        "cancelled": _l("Cancelled"),
    },
    "payment_failure": {
        "declined": _l("Declined by the bank"),
        "insufficient_funds": _l("Insufficient funds"),
        "3ds_timeout": _l("Card verification timed out"),
        "card_expired": _l("Card expired"),
        "risk_review": _l("Held for risk review"),
        "network_error": _l("Network error"),
    },
    "payment_result": {"succeeded": _l("Succeeded"), "failed": _l("Failed")},
    "channel": {
        "chat": _l("Chat"),
        "sms": _l("SMS"),
        "platform_message": _l("Platform message"),
        "email": _l("E-mail"),
        "internal": _l("Internal"),
    },
    "reminder_outcome": {
        "will_pay": _l("Will pay"),
        "paid": _l("Paid"),
        "payment_problem": _l("Payment problem"),
        "price_concern": _l("Price concern"),
        "shipping_concern": _l("Shipping concern"),
        "changed_mind": _l("Changed mind"),
        "no_reply": _l("No reply"),
        "other": _l("Other"),
    },
    "refund_status": {
        "requested": _l("Waiting for your decision"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
        "completed": _l("Refunded"),
        "closed": _l("Closed"),
    },
    "refund_kind": {"refund_only": _l("Refund only"), "return_and_refund": _l("Return and refund")},
    "after_sale_reason": {
        "not_received": _l("Not received"),
        "not_as_described": _l("Not as described"),
        "damaged": _l("Damaged"),
        "wrong_item": _l("Wrong item"),
        "quality": _l("Quality problem"),
        "changed_mind": _l("Changed mind (no reason)"),
        "dispute_ruling": _l("Platform ruling"),
        "order_cancelled": _l("Order cancelled"),
        "other": _l("Other"),
    },
    "return_status": {
        "requested": _l("Waiting for your decision"),
        "approved": _l("Approved, buyer to send back"),
        "shipped_back": _l("Sent back, to receive"),
        "received": _l("Received, to refund"),
        "refunded": _l("Refunded"),
        "exchanged": _l("Exchanged"),
        "rejected": _l("Rejected"),
    },
    "resolution": {"refund": _l("Refund"), "exchange": _l("Exchange")},
    "dispute_status": {
        "awaiting_seller": _l("Waiting for your answer"),
        "awaiting_buyer": _l("Waiting for the buyer"),
        "negotiating": _l("Negotiating"),
        "settled": _l("Settled"),
        "ruled": _l("Ruled by the platform"),
    },
    "proposal": {
        "full_refund": _l("Full refund"),
        "partial_refund": _l("Partial refund"),
        "return_and_refund": _l("Return and refund"),
        "reject": _l("Reject with evidence"),
    },
    # why the platform ruled as it did (services/tickets/arbitration.py)
    "ruling_reason": {
        "no_seller_response": _l("the shop did not answer in time"),
        "delivered_with_tracking": _l("delivered, with tracking"),
        "not_delivered": _l("not delivered"),
        "seller_offer_upheld": _l("the shop's offer stands"),
        "no_buyer_evidence": _l("the buyer gave no evidence"),
        "seller_gave_no_evidence": _l("the shop gave no evidence"),
        "partial_offer_upheld": _l("the shop's partial offer stands"),
        "both_gave_evidence": _l("both gave evidence"),
    },
    "outcome": {"buyer": _l("For the buyer"), "seller": _l("For the shop"), "split": _l("Split")},
    "shipment_status": {
        "picked_up": _l("Picked up"),
        "departed_origin": _l("Left the origin"),
        "export_customs": _l("Export customs cleared"),
        "in_transit": _l("In transit"),
        "import_customs": _l("Import customs cleared"),
        "arrived_destination": _l("Arrived at destination"),
        "out_for_delivery": _l("Out for delivery"),
        "delivered": _l("Delivered"),
        "delay": _l("Delayed"),
        "customs_hold": _l("Held by customs"),
        "lost": _l("Lost"),
        "damaged": _l("Damaged"),
        "address_problem": _l("Address problem"),
        "returned_to_sender": _l("Returned to sender"),
        "shipped": _l("Shipped"),
        "in_transit_late": _l("In transit (late)"),
    },
    "reship_reason": {
        "lost": _l("Lost"),
        "damaged": _l("Damaged"),
        "returned_to_sender": _l("Returned to sender"),
        "wrong_item": _l("Wrong item"),
        "missing_parts": _l("Missing parts"),
        "exchange": _l("Exchange"),
    },
    "rating": {"positive": _l("Positive"), "neutral": _l("Neutral"), "negative": _l("Negative")},
    # a review text's tone (reviews' sentiment), worded apart from the rating class: 负面, not 差评
    "sentiment": {
        "positive": _l("positive in tone"),
        "neutral": _l("neutral in tone"),
        "negative": _l("negative in tone"),
    },
    "mismatch": {
        "high_stars_negative_text": _l("High stars, negative text"),
        "low_stars_positive_text": _l("Low stars, positive text"),
    },
    "review_version": {"review": _l("Review"), "revision": _l("Revision"), "follow_up": _l("Follow-up review")},
    "contact_channel": {
        "chat": _l("Chat"),
        "phone": _l("Phone"),
        "sms": _l("SMS"),
        "platform_message": _l("Platform message"),
        "email": _l("E-mail"),
    },
    "contact_outcome": {
        "reached": _l("Reached the buyer"),
        "no_answer": _l("No answer"),
        "declined": _l("Buyer declined"),
        "will_revise": _l("Buyer will revise"),
        "other": _l("Other"),
    },
    # the platform profiles' ``reviews.removal_rules`` by id (a unit test holds every profile's ids to this list)
    "removal_rule": {
        "personal_information": _l("personal information disclosed"),
        "obscenity": _l("abusive or obscene language"),
        "advertising": _l("advertising or off-platform trading"),
        "product_review": _l("about the product only, not the seller"),
    },
    "removal_decision": {"granted": _l("Removed by the platform"), "refused": _l("Refused by the platform")},
    "care_kind": {
        "holiday_greeting": _l("Holiday greeting"),
        "follow_up": _l("After-delivery follow-up"),
        "win_back": _l("Win-back"),
    },
    # crm's RFM segments (services/crm/rfm_segments.yaml; its ``name_zh`` is the Chinese, a unit test holds them)
    "segment": {
        "champions": _l("Champions"),
        "loyal": _l("Loyal"),
        "potential_loyalists": _l("Potential loyalists"),
        "new": _l("New customers"),
        "promising": _l("Promising"),
        "need_attention": _l("Need attention"),
        "about_to_sleep": _l("About to sleep"),
        "at_risk": _l("At risk"),
        "cant_lose": _l("Can't lose them"),
        "hibernating": _l("Hibernating"),
    },
    "tag_source": {"manual": _l("by hand"), "rule": _l("by rule")},
    # The automatic tags of the platform profiles' ``crm.tag_rules`` (their ``name_zh`` is the Chinese word; a
    # unit test holds the two together). A student's own tag is free text and shown as written.
    "tag": {
        "new": _l("New customer"),
        "repeat": _l("Repeat customer"),
        "vip": _l("VIP"),
        "refund_prone": _l("Refund-prone"),
        "dispute_prone": _l("Dispute-prone"),
        "bad_reviewer": _l("Bad-review risk"),
        "dormant": _l("Dormant customer"),
    },
    "agent_status": {"online": _l("Online"), "away": _l("Away"), "offline": _l("Offline")},
    "role": {"student": _l("Student"), "instructor": _l("Instructor"), "admin": _l("Admin")},
    "author": {"buyer": _l("Buyer"), "agent": _l("Agent"), "system": _l("System")},
    "close_reason": {
        "order_paid": _l("order paid"),
        "order_cancelled": _l("order cancelled"),
        "reminder_sent": _l("reminder sent"),
        "delivered": _l("delivered"),
        "platform_ruled": _l("ruled by the platform"),
        "agent": _l("closed by the agent"),
        "expired": _l("expired unanswered"),
        "review_revised": _l("review revised upward"),
        "review_removed": _l("review removed"),
        "revision_window_closed": _l("revision window closed"),
    },
}


def label(group: str, code: object) -> str:
    """The words for ``code`` in ``group``, in the page's language; the code itself when unknown."""
    if code is None or code == "":
        return ""
    words = LABELS.get(group, {}).get(str(code))
    return gettext(words) if words is not None else str(code)


def choices(group: str) -> list[tuple[str, str]]:
    return [(code, gettext(words)) for code, words in LABELS[group].items()]
