"""What a system event says, as data: a code and the params it was written from, beside its English text.

The English text is stored as the message's body (API clients and exports read it); the workbench shows each line
in the page's language from ``code`` and ``params`` (``gateway/web/system_events.py`` holds one rendering per code,
and a unit test holds the two lists together). Params are plain JSON: codes as they are (a rating, a close reason,
a proposal kind, for the page to translate), amounts as wire strings with their currency, moments as ISO 8601
(shop time), and people's own words (an excerpt, a comment) as written. A message without a code (written before
codes existed) shows its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CARE_TASK = "care_task"  # kind, who, local_time, timezone?, expires_at?, grade?, segment?, country?
BLACKLISTED_BUYER = "blacklisted_buyer"  # who, reason, blacklisted_by, blacklisted_at, order_no, amount?, currency?
REVIEW_POSTED = "review_posted"  # rating, stars, buyer_name, order_no, item, sku, excerpt, scores, sentiment ...
REVIEW_REVISED_DOWN = "review_revised_down"  # direction, previous_stars, previous_rating, stars, rating, excerpt
TASK_CLOSED = "task_closed"  # reason
TASK_CLOSED_REVISED_UP = "task_closed_revised_up"  # reason, previous_stars, previous_rating, stars, rating, recovered
TASK_CLOSED_REVIEW_REMOVED = "task_closed_review_removed"  # reason, rule
TASK_CLOSED_WINDOW_PASSED = "task_closed_window_passed"  # reason, revise_by
PAYMENT_REMINDER = "payment_reminder"  # order_no, amount, currency, pay_by, failure_reason?
PARCEL_EXCEPTION = "parcel_exception"  # kind, carrier, tracking_no, detail?
REFUND_REQUESTED = "refund_requested"  # refund_kind, amount, currency, reason, note?
RETURN_REQUESTED = "return_requested"  # status
DISPUTE_OPENED = "dispute_opened"  # reason, amount, currency, evidence, respond_by
DISPUTE_PROPOSED = "dispute_proposed"  # proposal, amount, currency, evidence
DISPUTE_REJECTED = "dispute_rejected"  # comment?
DISPUTE_ACCEPTED = "dispute_accepted"  # outcome, refund, currency
DISPUTE_RULED = "dispute_ruled"  # outcome, reason, refund, currency

CODES = (
    CARE_TASK,
    BLACKLISTED_BUYER,
    REVIEW_POSTED,
    REVIEW_REVISED_DOWN,
    TASK_CLOSED,
    TASK_CLOSED_REVISED_UP,
    TASK_CLOSED_REVIEW_REMOVED,
    TASK_CLOSED_WINDOW_PASSED,
    PAYMENT_REMINDER,
    PARCEL_EXCEPTION,
    REFUND_REQUESTED,
    RETURN_REQUESTED,
    DISPUTE_OPENED,
    DISPUTE_PROPOSED,
    DISPUTE_REJECTED,
    DISPUTE_ACCEPTED,
    DISPUTE_RULED,
)


@dataclass(frozen=True)
class Line:
    """One system event as written: the English text and what the page needs to say it in its own language."""

    text: str
    code: str | None  # None: a line kept before codes existed, shown as its text
    params: dict[str, Any] = field(default_factory=dict)


def moment(value: datetime | None) -> str | None:
    """A moment as params keep it (ISO 8601, the shop's clock)."""
    return value.isoformat() if value is not None else None
