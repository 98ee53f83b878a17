"""What ShopLab is made of: one entry per service, read by everything that needs the list.

Adding a service is one entry here plus its own folder (``services/<name>/`` with ``service.py``, ``app.py``,
``worker.py``). The supervisor, the relay (subscriptions), the scheduler (timers), the contracts catalogue, the
tests' fixtures, the compose file (generated, ``python -m infra.compose``) and the PostgreSQL script all read this
table; nothing else lists the services.

Hosts and ports can be changed by environment: ``SHOPLAB_<NAME>_HOST`` / ``SHOPLAB_<NAME>_PORT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# A shop's copy in every service: who keeps it hears of each shop and each clock change.
SHOP_COPY = frozenset({"shop.opened", "shop.clock_changed"})


@dataclass(frozen=True)
class Service:
    name: str
    package: str  # the Python package: app.py (create_app), worker.py (app), service.py (SPEC)
    default_port: int
    title: str
    subscribes: frozenset[str] = frozenset()  # the event types its worker handles
    timers: dict[str, float] = field(default_factory=dict)  # task name -> seconds between ticks (beat)
    # gunicorn --preload: the app is built once in gunicorn's master and its workers are forked from it. For an app
    # that loads a heavy model (reviews: snownlp, 7-11 s of CPU), so workers share it and answer as soon as forked.
    preload_web: bool = False

    @property
    def app_module(self) -> str:
        """``module:factory()`` for gunicorn."""
        return f"{self.package}.app:create_app()"

    @property
    def worker_module(self) -> str:
        """``celery -A`` target."""
        return f"{self.package}.worker"

    @property
    def spec_module(self) -> str:
        return f"{self.package}.service"

    @property
    def host(self) -> str:
        return os.environ.get(f"SHOPLAB_{self.name.upper()}_HOST", "127.0.0.1")

    @property
    def port(self) -> int:
        return int(os.environ.get(f"SHOPLAB_{self.name.upper()}_PORT", self.default_port))

    @property
    def url(self) -> str:
        override = os.environ.get(f"SHOPLAB_{self.name.upper()}_URL")
        return override or f"http://{self.host}:{self.port}"

    @property
    def queue(self) -> str:
        """The service's own durable Redis list: events and timers for it wait here."""
        return self.name

    @property
    def database(self) -> str:
        """Its database's name on a shared PostgreSQL server (compose)."""
        return f"shoplab_{self.name}"


SWEEP_OUTBOX_SECONDS = 2.0

_SERVICES = [
    Service(
        "gateway",
        "gateway",
        8000,
        "ShopLab gateway (public API)",
        # the live stream's doorbell: what signed-in clients of a shop must look at again (gateway/handlers.py)
        subscribes=frozenset(
            {
                "ticket.opened",
                "ticket.assigned",
                "ticket.status_changed",
                "ticket.resolved",
                "ticket.closed",
                "ticket.sla_breached",
                "message.received",
                "message.replied",
                "csat.rated",
                "dispute.opened",
                "dispute.proposed",
                "dispute.escalated",
                "dispute.ruled",
                "order.placed",
                "order.paid",
                "order.payment_failed",
                "order.cancelled",
                "order.address_changed",
                "order.shipped",
                "order.reshipped",
                "order.delivered",
                "order.completed",
                "payment.reminder_due",
                "payment.reminder_sent",
                "payment.reminder_noted",
                "shipment.exception",
                "refund.requested",
                "refund.approved",
                "refund.rejected",
                "refund.completed",
                "return.requested",
                "return.approved",
                "return.shipped",
                "return.received",
                "return.rejected",
                "return.refunded",
                "return.exchanged",
                # reviews and customers: the Reviews, Customers and Care pages and the conversation's side panel
                "review.posted",
                "review.revised",
                "review.replied",
                "review.removed",
                "review.revision_window_closed",
                "customer.tagged",
                "customer.untagged",
                "customer.segment_changed",
                "customer.segments_refreshed",
                "customer.grade_changed",
                "customer.blacklisted",
                "customer.blacklist_lifted",
                "care.task_due",
                # an injection its owner found nothing for: the record says so (gateway/injections.py; no doorbell)
                "injection.skipped",
            }
        ),
    ),
    Service(
        "orders",
        "services.orders",
        8001,
        "ShopLab orders service",
        subscribes=SHOP_COPY
        | {"dispute.ruled"}
        # instructors' injections of what orders own (shoplab/contracts/injections.py)
        | {"injection.failed_payment", "injection.lost_parcel", "injection.customs_hold"},
        # the time rules of the shop's clock: unpaid timeout, reminder windows, tracking, auto-complete
        timers={
            "orders.expire_unpaid": 2.0,
            "orders.announce_reminders": 2.0,
            "orders.advance_tracking": 2.0,
            "orders.auto_complete": 10.0,
        },
    ),
    Service(
        "tickets",
        "services.tickets",
        8002,
        "ShopLab tickets service",
        subscribes=SHOP_COPY
        | {
            "agent.joined",
            "agent.status_changed",
            "order.placed",
            "order.paid",
            "order.cancelled",
            "payment.reminder_due",
            "payment.reminder_sent",
            "order.shipped",
            "shipment.exception",
            "order.delivered",
            "refund.requested",
            "return.requested",
            # neutral/negative reviews: follow-up tasks opened and closed
            "review.posted",
            "review.revised",
            "review.removed",
            "review.revision_window_closed",
            # crm: care items, and a blacklisted buyer's new order
            "care.task_due",
            "customer.flagged_order",
        }
        # instructors' injections of what the queue owns (shoplab/contracts/injections.py)
        | {"injection.dispute", "injection.angry_message", "injection.presale_flood"},
        # SLA breaches, dispute escalation and tasks past their expiry, on each shop's clock
        timers={"tickets.check_sla": 5.0, "tickets.escalate_disputes": 15.0, "tickets.close_expired_tasks": 10.0},
    ),
    Service(
        "reviews",
        "services.reviews",
        8003,
        "ShopLab reviews service",
        # the order facts a review needs: its lines and buyer, delivery, cancellation, refunds; disputes for the ODR
        subscribes=SHOP_COPY
        | {
            "order.placed",
            "order.delivered",
            "order.completed",
            "order.cancelled",
            "refund.completed",
            "dispute.opened",
            "dispute.ruled",
        }
        | {"injection.one_star_review"},  # an instructor's injection (shoplab/contracts/injections.py)
        # neutral/negative reviews whose revision window passed: their follow-up is over
        timers={"reviews.close_revision_windows": 10.0},
        preload_web=True,  # the sentiment models (services/reviews/sentiment.py)
    ),
    Service(
        "crm",
        "services.crm",
        8004,
        "ShopLab crm service",
        # profiles are built only from events (docs/crm.md)
        subscribes=SHOP_COPY
        | {
            "order.placed",
            "order.paid",
            "order.cancelled",
            "order.delivered",
            "order.completed",
            "refund.completed",
            "return.received",
            "return.refunded",
            "ticket.opened",
            "csat.rated",
            "dispute.opened",
            "dispute.ruled",
            "review.posted",
            "review.revised",
        },
        # care tasks at the customers' local hours, rule tags that time changes, RFM kept current in full
        timers={"crm.announce_care": 5.0, "crm.apply_time_rules": 10.0, "crm.refresh_rfm": 30.0},
    ),
]

SERVICES: dict[str, Service] = {service.name: service for service in _SERVICES}
SERVICE_NAMES: tuple[str, ...] = tuple(SERVICES)

REDIS_DEFAULT_PORT = 6390  # not 6379: another Redis on the machine may hold that one
