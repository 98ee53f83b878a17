"""The buyers' decision rules, with the numbers of data/behaviour.yaml."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shoplab.shops.profiles import load_profile
from simulator import decisions
from simulator.assessment import ReplyContext, assess
from simulator.journey import Experience
from simulator.population import PopulationSpec, build_population

TAOBAO = load_profile("taobao")
BUYER = replace(build_population(1, TAOBAO, PopulationSpec(count=1))[0], temperament="rational", strictness=0)
ORDER = {"order_no": "261102000000004217", "product": "保温杯", "amount": "89.00"}


def reminder(text: str, failure: str | None = None):
    ctx = ReplyContext(
        language="zh",
        purpose="payment_reminder",
        facts=ORDER,
        facts_due=("order",),
        failure_reason=failure,
        forbidden_rules=tuple(TAOBAO["forbidden_content"]),
    )
    return assess(text, ctx)


GOOD = reminder(
    "亲，您好！您拍下的保温杯（订单4217）还没付款哦，卡里余额不足的话可以用花呗。祝您购物愉快！", "insufficient_funds"
)
PLACED = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


def pay_p(sent_after: timedelta, assessment=GOOD, previous=None, failure="insufficient_funds"):
    return decisions.reminder_pay_probability(
        BUYER,
        sent_at=PLACED + sent_after,
        placed_at=PLACED,
        pay_by=PLACED + timedelta(hours=24),
        previous_at=previous,
        failure_reason=failure,
        assessment=assessment,
    )


def test_a_well_timed_well_written_reminder_gets_the_buyers_full_propensity() -> None:
    probability, factors = pay_p(timedelta(minutes=20))
    assert factors == {
        "base": BUYER.propensity("pay_after_reminder"),
        "hour": 1.0,
        "cadence": 1.0,
        "content": 1.0,
        "language": 1.0,
    }
    assert probability == round(BUYER.propensity("pay_after_reminder"), 4)


def test_a_reminder_at_night_in_the_buyers_time_is_never_followed() -> None:
    probability, factors = pay_p(timedelta(hours=9, minutes=30))  # 23:30 in Shanghai
    assert factors["hour"] == 0.0 and probability == 0.0


def test_timing_bands_of_the_cadence() -> None:
    assert pay_p(timedelta(minutes=5))[1]["cadence"] == 0.5  # still at the checkout: pushy
    assert pay_p(timedelta(hours=3))[1]["cadence"] == 0.7
    second = pay_p(timedelta(hours=3), previous=PLACED + timedelta(minutes=20))  # 2 h 40 after the first
    assert second[1]["cadence"] == 1.0
    nagging = pay_p(timedelta(minutes=50), previous=PLACED + timedelta(minutes=20))
    assert nagging[1]["cadence"] == 0.3
    last_call = decisions.reminder_pay_probability(
        BUYER,
        sent_at=PLACED + timedelta(hours=6),
        placed_at=PLACED,
        pay_by=PLACED + timedelta(hours=7, minutes=30),
        previous_at=None,
        failure_reason=None,
        assessment=GOOD,
    )
    assert last_call[1]["cadence"] == 1.0  # the last call before the deadline


def test_content_a_reminder_that_names_nothing_and_ignores_the_failure() -> None:
    curt = reminder("快点付款", "insufficient_funds")
    assert pay_p(timedelta(minutes=20), assessment=curt)[1]["content"] == 0.4
    names_only = reminder("订单004217还没付款", "insufficient_funds")  # the last six digits name it
    assert pay_p(timedelta(minutes=20), assessment=names_only)[1]["content"] == 0.7
    bribe = reminder("亲，您好！订单4217付款后好评返现哦", None)
    assert pay_p(timedelta(minutes=20), assessment=bribe, failure=None)[0] == 0.0


def test_conversion_falls_with_the_wait_and_a_poor_answer() -> None:
    ctx = ReplyContext(language="zh", purpose="pre_sale", expects=("有货", "现货"))
    good = assess("亲，您好！这款保温杯有现货，今天下单今天发。还有什么可以帮您的吗？", ctx)
    poor = assess("有", ctx)
    fast, _ = decisions.conversion_probability(
        BUYER, wait_seconds=30, target_seconds=180, nudged=False, assessment=good
    )
    slow, _ = decisions.conversion_probability(
        BUYER, wait_seconds=250, target_seconds=180, nudged=False, assessment=good
    )
    nudged, _ = decisions.conversion_probability(
        BUYER, wait_seconds=30, target_seconds=180, nudged=True, assessment=good
    )
    curt, _ = decisions.conversion_probability(
        BUYER, wait_seconds=30, target_seconds=180, nudged=False, assessment=poor
    )
    assert fast > slow > nudged and fast > curt


def _stars(experience: Experience) -> tuple[int, dict[str, int]]:
    # a seed whose luck is neutral, so the stars are the rule's
    for n in range(100):
        stars, scores = decisions.review_scores(BUYER, experience, 1, "b0001", "j", n)
        if stars == round(sum(scores.values()) / 3):
            return stars, scores
    raise AssertionError("no neutral luck found")


def test_review_stars_follow_the_experience() -> None:
    assert _stars(Experience()) == (5, {"as_described": 5, "service": 5, "logistics": 5})
    late = _stars(Experience(late_ratio=1.8, parcel_exception="delay"))[1]
    assert late["logistics"] == 2
    unsolved = _stars(Experience(problem="damaged", solved=False, rounds_over_patience=1))
    assert unsolved[1] == {"as_described": 2, "service": 2, "logistics": 5} and unsolved[0] == 3
    solved = _stars(Experience(problem="damaged", solved=True))
    assert solved[0] > unsolved[0]


def test_a_demanding_buyer_gives_fewer_stars() -> None:
    demanding = replace(BUYER, strictness=1)
    luck_free = [decisions.review_scores(demanding, Experience(), 1, "b", "j", n) for n in range(200)]
    assert max(stars for stars, _ in luck_free) == 5 and min(stars for stars, _ in luck_free) == 3
    assert sum(stars for stars, _ in luck_free) / 200 < 4.2


def test_csat_counts_the_waits_the_answers_and_the_outcome() -> None:
    happy = [
        decisions.csat_score(BUYER, Experience(first_reply_seconds=30, scores=[0.9]), 180, 1, n) for n in range(100)
    ]
    unhappy = [
        decisions.csat_score(
            BUYER,
            Experience(first_reply_seconds=9000, scores=[0.3], apology_missing=True, problem="damaged", solved=False),
            180,
            1,
            n,
        )
        for n in range(100)
    ]
    assert min(happy) >= 4 and max(unhappy) <= 2


def test_revising_needs_a_good_contact_and_never_follows_a_bribe() -> None:
    ctx = ReplyContext(
        language="zh",
        purpose="review_contact",
        facts=ORDER,
        facts_due=("order",),
        apology_due=True,
        solution_due=True,
        forbidden_rules=tuple(TAOBAO["forbidden_content"]),
    )
    good = assess("亲，您好！非常抱歉，订单4217的保温杯我们明天为您补发，48小时内送达。感谢您的支持！", ctx)
    bribe = assess("亲，改成好评返现5元", ctx)
    assert decisions.revise_probability(BUYER, good, solved=False)[0] > 0.9 * BUYER.propensity("revise")
    assert decisions.revise_probability(BUYER, bribe, solved=True)[0] == 0.0
    assert decisions.revised_stars(1) == 4 and decisions.revised_stars(4) == 5


def test_proposals() -> None:
    assert decisions.accepts_proposal(BUYER, "full_refund", 0, 50)
    assert decisions.accepts_proposal(BUYER, "partial_refund", 25, 50)  # rational: half is enough
    assert not decisions.accepts_proposal(replace(BUYER, accept_partial_share=0.8), "partial_refund", 25, 50)
    assert not decisions.accepts_proposal(BUYER, "reject", 0, 50)
