"""The full RFM computation as a shop runs it: on request (``POST .../rfm/recompute``), after an import, and by
the ``crm.refresh_rfm`` timer when purchases changed or a shop day has passed; then the live UI is told.

The reference moment is the shop's now, unless an instructor pinned one (an exercise analysing a history "as
of" its last day): then every computation uses it until it is unpinned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from services.crm import rfm_sql
from services.crm.rfm_sql import RfmRun
from shoplab.eventbus.outbox import publish
from shoplab.shops.context import ShopContext

REFRESH_AFTER = timedelta(days=1)  # shop time: recency in whole days moves once a day
KEEP = object()  # "leave the pinned reference as it is"


def refresh(
    session: Session,
    ctx: ShopContext,
    *,
    trigger: str,
    by: str | None,
    pin: datetime | None | object = KEEP,
    rebuild: bool = False,
) -> RfmRun:
    state = rfm_sql.state_of(session, ctx.id)
    if pin is not KEEP:
        state.pinned_as_of_at = pin
    as_of = rfm_sql.reference_time(state, ctx.shop_now)
    refresh_after = None if state.pinned_as_of_at else REFRESH_AFTER
    run = rfm_sql.recompute(session, ctx.id, as_of, refresh_after, rebuild=rebuild)
    publish(
        session,
        "customer.segments_refreshed",
        shop_id=ctx.id,
        payload={
            "as_of": run.as_of,
            "customers": run.customers,
            "changed": run.changed,
            "segments": run.segments,
            "trigger": trigger,
            "by": by,
        },
    )
    return run
