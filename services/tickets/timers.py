"""The tickets service's timers, run for every open shop at that shop's simulated now by the shared runner
(``shoplab.shops.timer_runner``: one transaction per shop); how often each ticks is in the topology table.

The probes are cheap "is anything due?" reads, so an idle shop costs a read, not a turn at the write lock.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.tickets.care_tasks import close_expired, expiries_due
from services.tickets.escalation import escalate_due, escalations_due
from services.tickets.policy import policy_for
from services.tickets.sla import breaches_due, detect_breaches
from shoplab.shops.context import ShopContext
from shoplab.shops.timer_runner import ShopTimer


def escalate_disputes(session: Session, ctx: ShopContext) -> int:
    """Disputes whose window passed go to arbitration (closing their tickets hands the queue out again)."""
    return escalate_due(session, ctx, policy_for(session, ctx))


TIMERS: dict[str, ShopTimer] = {
    "tickets.check_sla": ShopTimer(detect_breaches, breaches_due),
    "tickets.escalate_disputes": ShopTimer(escalate_disputes, escalations_due),
    "tickets.close_expired_tasks": ShopTimer(close_expired, expiries_due),
}
