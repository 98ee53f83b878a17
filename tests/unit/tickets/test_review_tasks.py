"""Follow-up tasks of neutral/negative reviews (中差评): opened by ``review.posted``, closed when there is nothing
left to follow up, whatever order the reviews service's events arrive in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.tickets import lifecycle
from services.tickets.models import Ticket
from services.tickets.views import messages_of
from tests.unit.tickets.conftest import T0, at, published, seat, shop_at

REF = {"shop_id": "s1", "review_id": "rv1", "order_id": "o1", "order_no": "NO-o1", "sku": "TB1001-BLACK-M",
       "line_title": "纯棉T恤", "customer_id": "c1"}  # fmt: skip


def posted(stars: int = 1, rating: str = "negative", **extra):
    return {**REF, "stars": stars, "rating": rating, "buyer_name": "王小明", "buyer_language": "zh",
            "text_excerpt": "质量太差了，洗一次就掉色", "scores": {"as_described": 1, "service": 3, "logistics": 4},
            "photos": 1, "sentiment": {"score": -0.91, "label": "negative", "language": "zh"}, "mismatch": None,
            "needs_follow_up": rating != "positive", "posted_at": T0.isoformat(),
            "revise_by": (T0 + timedelta(days=30)).isoformat(), **extra}  # fmt: skip


def revised(stars: int, rating: str, direction: str, recovered: bool):
    return {**REF, "stars": stars, "rating": rating, "previous_stars": 1, "previous_rating": "negative",
            "direction": direction, "recovered": recovered, "text_excerpt": "换了新的，很好",
            "revised_at": (T0 + timedelta(days=2)).isoformat()}  # fmt: skip


def removed():
    return {**REF, "stars": 1, "rating": "negative", "rule": "obscenity", "requested_by": "a1",
            "removed_at": (T0 + timedelta(days=1)).isoformat()}  # fmt: skip


def window_closed():
    return {**REF, "stars": 1, "rating": "negative", "revise_by": (T0 + timedelta(days=30)).isoformat()}


def follow_ups(session):
    return session.scalars(select(Ticket).where(Ticket.kind == "review_follow_up")).all()


def test_a_bad_review_opens_one_routed_task_that_says_who_wrote_what(session, shop, handle):
    seat(session, "s1", "a1")
    handle("review.posted", posted(mismatch="low_stars_positive_text"))
    handle("review.posted", posted(), 1)  # a repeat opens nothing more
    [task] = follow_ups(session)
    assert (task.status, task.grp, task.assignee_id, task.source_ref) == ("new", "after_sale", "a1",
                                                                          "review_follow_up:rv1")  # fmt: skip
    assert (task.customer_id, task.buyer_name, task.order_no, task.language, task.channel) == (
        "c1", "王小明", "NO-o1", "zh", "platform_message")  # fmt: skip
    assert task.subject == "中差评 1★ review follow-up" and task.source == "review.posted"
    [first] = messages_of(session, task)
    assert (first.author, first.kind) == ("system", "event")
    assert first.body.splitlines() == [
        "negative review 1★ by 王小明 on order NO-o1, 纯棉T恤 (TB1001-BLACK-M):",
        "“质量太差了，洗一次就掉色”",
        "scores: as described 1, service 3, logistics 4; text negative (-0.91)",
        "stars and text disagree: low_stars_positive_text",
        "the buyer may revise it once until 2026-12-02 09:00 (shop time)",
        "review rv1",
    ]
    assert messages_of(session, task, "buyer") == []
    assert task.resolution_due_at == T0 + timedelta(days=1)  # taobao's resolution target, like any task
    assert [p["kind"] for p in published(session, "ticket.opened")] == ["review_follow_up"]


def test_a_positive_review_opens_nothing(session, shop, handle):
    handle("review.posted", posted(5, "positive"))
    assert follow_ups(session) == []


@pytest.mark.parametrize(
    ("event_type", "payload", "reason"),
    [
        ("review.revised", revised(4, "positive", "up", True), "review_revised"),
        ("review.revised", revised(2, "negative", "up", False), "review_revised"),
        ("review.removed", removed(), "review_removed"),
        ("review.revision_window_closed", window_closed(), "revision_window_closed"),
    ],
)
def test_the_task_closes_when_nothing_is_left_to_follow_up(session, shop, handle, event_type, payload, reason):
    handle("review.posted", posted())
    handle(event_type, payload, 5)
    handle(event_type, payload, 6)  # a repeat
    [task] = follow_ups(session)
    assert (task.status, task.close_reason) == ("closed", reason)
    assert messages_of(session, task)[-1].body.startswith(f"closed automatically: {reason} — ")
    assert [p["reason"] for p in published(session, "ticket.closed")] == [reason]


def test_an_upward_revision_says_whether_the_review_was_recovered(session, shop, handle):
    handle("review.posted", posted())
    handle("review.revised", revised(2, "negative", "up", False), 5)
    [task] = follow_ups(session)
    last = messages_of(session, task)[-1].body
    assert last == "closed automatically: review_revised — revised up 1★ negative → 2★ negative (still negative)"


@pytest.mark.parametrize(
    "settling",
    [
        ("review.revised", revised(5, "positive", "up", True)),
        ("review.removed", removed()),
        ("review.revision_window_closed", window_closed()),
    ],
)
def test_what_overtook_the_posting_keeps_the_task_from_opening(session, shop, handle, settling):
    handle(*settling)
    handle("review.posted", posted(), 1)
    assert follow_ups(session) == []


def test_a_posting_handled_after_its_revision_window_opens_nothing(session, shop, handle):
    handle("review.posted", posted(revise_by=(T0 + timedelta(seconds=59)).isoformat()), 60)
    assert follow_ups(session) == []


def test_a_downward_revision_keeps_the_task_for_a_person_and_reopens_a_resolved_one(session, shop, handle):
    seat(session, "s1", "a1")
    handle("review.posted", posted(2, "negative"))
    [task] = follow_ups(session)
    lifecycle.change_status(session, *shop_at(session, at(10)), task, "resolved", agent_id="a1")
    down = {**revised(1, "negative", "down", False), "previous_stars": 2}
    handle("review.revised", down, 20)
    assert (task.status, task.reopen_count, task.assignee_id) == ("open", 1, "a1")
    note = messages_of(session, task)[-1].body
    assert note.startswith("the buyer revised the review down: 2★ negative → 1★ negative: “换了新的，很好”.")
    assert "cannot be revised again" in note
    # a person resolves it now, or the platform removes the review
    handle("review.removed", removed(), 40)
    assert (task.status, task.close_reason) == ("closed", "review_removed")


def test_a_downward_revision_before_the_posting_is_told_when_the_task_opens(session, shop, handle):
    handle("review.revised", revised(1, "negative", "same", False))
    handle("review.posted", posted(), 1)
    [task] = follow_ups(session)
    assert task.status == "new"
    bodies = [m.body for m in messages_of(session, task)]
    assert len(bodies) == 2 and bodies[1].startswith("the buyer revised the review same: 1★ negative → 1★ negative")
