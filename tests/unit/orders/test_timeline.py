from datetime import UTC, datetime, timedelta

from services.orders.timeline import CROSS_BORDER, DOMESTIC, plan

SHIPPED = datetime(2026, 11, 12, 8, 0, tzinfo=UTC)
QUIET = {"exception_rate": 0}


def timeline(seed="SF:SF1403716928374", cross_border=True, tracking=QUIET, days=(10, 20)):
    return plan(
        seed=seed, shipped_at=SHIPPED, cross_border=cross_border, days_min=days[0], days_max=days[1],
        origin="Shenzhen 深圳, CN", destination="New York, US", tracking=tracking,
    )  # fmt: skip


def test_cross_border_parcels_pass_customs_and_arrive_in_the_promised_range():
    steps = timeline()
    assert [s.status for s in steps] == [status for status, _ in CROSS_BORDER]
    assert all(a.due_at < b.due_at for a, b in zip(steps, steps[1:], strict=False))
    assert SHIPPED + timedelta(days=10) <= steps[-1].due_at <= SHIPPED + timedelta(days=20)
    assert steps[0].location.startswith("Shenzhen") and steps[-1].location == "New York, US"
    assert "已签收" in steps[-1].detail


def test_domestic_parcels_have_no_customs():
    steps = timeline(cross_border=False, days=(1, 3))
    assert [s.status for s in steps] == [status for status, _ in DOMESTIC]
    assert not any("customs" in s.status for s in steps)


def test_the_same_shipment_always_gets_the_same_timeline():
    assert timeline("abc") == timeline("abc")
    assert timeline("abc") != timeline("abd")


def test_exceptions_come_with_the_profiles_probability():
    certain = {"exception_rate": 1.0, "exception_kinds": {"delay": 1}, "delay_hours": 48}
    steps = timeline(tracking=certain)
    kinds = [s.kind for s in steps]
    assert kinds.count("exception") == 1 and steps[-1].status == "delivered"
    calm = timeline(tracking=QUIET)
    assert steps[-1].due_at - calm[-1].due_at == timedelta(hours=48)  # the rest of the way was pushed back
    hits = sum(
        any(s.kind == "exception" for s in timeline(f"p{i}", tracking={**certain, "exception_rate": 0.1}))
        for i in range(1000)
    )
    assert 60 < hits < 140


def test_lost_and_returned_parcels_never_arrive():
    for kind in ("lost", "returned_to_sender"):
        steps = timeline(tracking={"exception_rate": 1.0, "exception_kinds": {kind: 1}})
        assert steps[-1].status == kind and steps[-1].kind == "exception"
        assert "delivered" not in [s.status for s in steps]


def test_damage_is_found_at_delivery_and_customs_holds_only_across_borders():
    damaged = timeline(tracking={"exception_rate": 1.0, "exception_kinds": {"damaged": 1}})
    assert [s.status for s in damaged][-2:] == ["damaged", "delivered"]
    domestic = timeline(cross_border=False, tracking={"exception_rate": 1.0, "exception_kinds": {"customs_hold": 1}})
    assert not any(s.kind == "exception" for s in domestic)
