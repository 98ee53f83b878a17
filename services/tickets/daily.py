"""A period's reply-time figures day by day (the trend on a student's My metrics page), in one call.

The same formulas as ``metrics.py`` for the figures a daily trend shows — first response (count, mean), response
rate within the target, tickets handled — but for every day at once: the period's rounds and resolutions are read
once (each from its covering index) and counted into days here. Asked one day at a time, a week cost seven calls
of fourteen queries each, on every opening of the page.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tickets.metrics import Scope, _round_filter, _ticket_filter
from services.tickets.models import ReplyRound, Ticket

MAX_DAYS = 62


def days_of(start: datetime, end: datetime, timezone: str) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut at midnights of ``timezone`` (the first and last days may be partial)."""
    zone = ZoneInfo(timezone)
    days = []
    day = start.astimezone(zone)
    while day < end:
        following = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), zone)
        days.append((day.astimezone(UTC), min(following.astimezone(UTC), end)))
        day = following
    return days


def daily(session: Session, scope: Scope, timezone: str, *, within: int, now: datetime) -> list[dict[str, Any]]:
    days = days_of(scope.start, scope.end, timezone)
    starts = [day_start for day_start, _ in days]
    figures = [{"first": [], "rounds": 0, "decided": 0, "in_time": 0, "handled": 0} for _ in days]

    def day_of(moment: datetime) -> dict[str, Any]:
        return figures[bisect_right(starts, moment) - 1]

    decided_cutoff = now - timedelta(seconds=within)
    rounds = select(ReplyRound.started_wall_at, ReplyRound.is_first, ReplyRound.reply_seconds)
    for started, is_first, seconds in session.execute(rounds.where(*_round_filter(scope, first_only=False))):
        day = day_of(started)
        if is_first and seconds is not None:
            day["first"].append(seconds)
        if seconds is not None or started <= decided_cutoff:
            day["decided"] += 1
        if seconds is not None and seconds <= within:
            day["in_time"] += 1
    resolved = select(Ticket.resolved_wall_at).where(
        *_ticket_filter(scope, Ticket.resolved_wall_at, Ticket.resolved_by)
    )
    for (moment,) in session.execute(resolved):
        day_of(moment)["handled"] += 1
    return [
        {
            "from": day_start,
            "to": day_end,
            "first_response": {
                "count": len(day["first"]),
                "mean": round(sum(day["first"]) / len(day["first"]), 3) if day["first"] else None,
            },
            "response": {"rate_within": round(day["in_time"] / day["decided"], 4) if day["decided"] else None},
            "tickets": {"handled": day["handled"]},
        }
        for (day_start, day_end), day in zip(days, figures, strict=True)
    ]
