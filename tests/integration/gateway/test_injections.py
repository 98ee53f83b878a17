"""Instructors' injections: through the gateway, recorded there, carried as ``injection.<kind>`` by the real bus to the
real workers of the owning services, and in the student's queue within 2 s; bad input refused with nothing written;
a shop without an order to act on refused (409) with nothing written, a class's such shops skipped and listed.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import yaml
from sqlalchemy import func, select

from gateway.injection_models import Injection
from services.orders.carriers import __file__ as carriers_module
from shoplab.eventbus.tables import DeadLetter, InboxEntry, OutboxMessage
from shoplab.shops.context import shop_context
from tests.integration.gateway.conftest import pump
from tests.integration.gateway.world import ADDRESSES, CUSTOMERS, build_world
from tests.integration.reviews.conftest import deliver, delivered, placed
from tests.stack import eventually

QUEUES = ("orders", "tickets", "reviews")
WITHIN = 2.0  # seconds from the instructor's request to the student's queue


def _example_tracking(carrier: str) -> str:
    from pathlib import Path

    carriers = yaml.safe_load((Path(carriers_module).parent / "catalog" / "carriers.yaml").read_text(encoding="utf-8"))
    return str(carriers[carrier]["example"])


def _written(stack) -> tuple[int, int]:
    """Injection rows and outbox rows of the gateway: what an injection writes."""
    with stack.runtime("gateway").db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Injection)),
            session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def _inject(world, shop: str, body: dict, who: str = "teacher") -> list[dict]:
    return world.call(
        "POST", f"/api/v1/shops/{world.shops[shop]}/injections", world.headers[who], json=body, expect=202
    )


def _tickets(world, shop: str, kind: str, who: str) -> list[dict]:
    page = world.call("GET", f"/api/v1/shops/{world.shops[shop]}/tickets?kind={kind}", world.headers[who])
    return page["items"] if isinstance(page, dict) else page


def _arrives(rows, what: str, injected: dict | list[dict], stamp: str = "opened_at", stack=None) -> list[dict]:
    """``rows()`` lists what the injection made, as the student's API shows it. How long it took (its ``stamp``: the
    ticket opened, the review posted, wall clock, against the injection's record) is printed, not asserted: on a
    shared 2-core machine running three test processes a stopwatch proves nothing either way (the aim, WITHIN
    seconds, is measured where the machine is quiet: docs/performance.md). When nothing arrives, the failure says
    where each injection's event stands (sent? handled by which service? dead-lettered?), so a late or lost event is
    told apart from a rule that acted on nothing."""
    records = injected if isinstance(injected, list) else [injected]
    try:
        found = eventually(rows, timeout=WITHIN + 15, interval=0.05, message=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; where the events stand: {_whereabouts(stack, records)}") from exc
    recorded = min(datetime.fromisoformat(record["created_at"]) for record in records)
    took = max(datetime.fromisoformat(row[stamp]) for row in found) - recorded
    assert took.total_seconds() >= 0, f"{what}: made before it was injected"
    print(f"injection → queue: {what}: {took.total_seconds():.2f} s (aim {WITHIN} s)")
    return found


def _whereabouts(stack, records: list[dict]) -> dict:
    if stack is None:
        return {}
    ids = [record["event_id"] for record in records]
    with stack.runtime("gateway").db.reading() as session:
        sent = {row.id: str(row.sent_wall_at) for row in session.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_(ids)))}  # fmt: skip
    found: dict = {"sent": sent, "queues": {queue: stack.redis.llen(queue) for queue in QUEUES}}
    for service in QUEUES:
        with stack.runtime(service).db.reading() as session:
            found[f"{service} handled"] = session.scalars(select(InboxEntry.event_id).where(
                InboxEntry.event_id.in_(ids))).all()  # fmt: skip
            found[f"{service} dead"] = session.scalars(select(DeadLetter.error).where(
                DeadLetter.event_id.in_(ids))).all()  # fmt: skip
    return found


def _drained(stack) -> None:
    def idle() -> bool:
        if any(stack.redis.llen(queue) for queue in QUEUES):
            return False
        time.sleep(0.5)
        return not any(stack.redis.llen(queue) for queue in QUEUES)

    eventually(idle, timeout=60, message="the workers took what was waiting")


def _paid_order(world, shop: str, customer: str) -> str:
    """A new order of the customer, paid: the world's own orders are taken (c-a1's was delivered and reviewed)."""
    base = f"/api/v1/buyer/shops/{world.shops[shop]}"
    product = world.call("GET", f"{base}/products", world.buyer(shop))[0]
    order = world.call("POST", f"{base}/orders", world.buyer(shop, customer), json={
        "address": ADDRESSES[CUSTOMERS[customer]["country"]],
        "lines": [{"sku": product["skus"][0]["sku"], "quantity": 1}],
    })  # fmt: skip
    method = "alipay" if shop == "A" else "card"
    world.call("POST", f"{base}/orders/{order['id']}/payments", world.buyer(shop, customer), json={"method": method})
    return order["id"]


def _ship(world, shop: str, customer: str, student: str, order_id: str | None = None) -> None:
    order_id = order_id or world.ids[f"order_{customer}"]
    staff = f"/api/v1/shops/{world.shops[shop]}/orders/{order_id}"
    carrier = world.call("GET", staff, world.headers[student])["shipping_carrier"]
    body = {"carrier": carrier, "tracking_no": _example_tracking(carrier)}
    world.call("POST", f"{staff}/shipments", world.headers[student], json=body)


def test_refusals_write_nothing(served):
    world = build_world(served)
    shop_a = world.shops["A"]
    before = _written(served)
    url = f"/api/v1/shops/{shop_a}/injections"
    unknown = world.call("POST", url, world.headers["teacher"], json={"kind": "meteor"}, expect=422)
    assert "kind" in unknown["fields"]
    other_shops_order = {"kind": "angry_message", "order_id": world.ids["order_c-b1"]}
    assert "order_id" in world.call("POST", url, world.headers["teacher"], json=other_shops_order, expect=404)["fields"]
    unpaid_lost = {"kind": "lost_parcel", "order_id": world.ids["order_c-a2"]}
    conflict = world.call("POST", url, world.headers["teacher"], json=unpaid_lost, expect=409)
    assert "order_id" in conflict["fields"] and conflict["current_state"] == "unpaid"
    # nothing to act on: 409 naming order_id and the state the kind needs, whichever service owns the kind
    for shop, body, needed in (
        ("B", {"kind": "lost_parcel"}, "shipped"),  # orders: nothing shipped in shop B
        ("B", {"kind": "dispute"}, "paid"),  # tickets: c-b1's order is unpaid
        ("A", {"kind": "one_star_review"}, "delivered"),  # reviews: c-a1's one line is reviewed already
        ("A", {"kind": "dispute", "order_id": world.ids["order_c-a1"]}, "paid"),  # paid, but disputed already
    ):
        shop_url = f"/api/v1/shops/{world.shops[shop]}/injections"
        refused = world.call("POST", shop_url, world.headers["teacher"], json=body, expect=409)
        assert refused["needed_state"] == needed and refused["fields"]["order_id"] == [refused["message"]], refused
    lost = world.call("POST", url, world.headers["teacher"], json={"kind": "lost_parcel"}, expect=409)
    assert lost["message"].startswith("no shipped order in this shop to lose a parcel of")
    wrong = {"kind": "failed_payment", "reason": "not_received"}
    assert "reason" in world.call("POST", url, world.headers["teacher"], json=wrong, expect=422)["fields"]
    flood_count = {"kind": "presale_flood", "count": 500}
    assert "count" in world.call("POST", url, world.headers["teacher"], json=flood_count, expect=422)["fields"]
    classes = world.call("GET", "/api/v1/classes", world.headers["teacher"])
    class_url = f"/api/v1/classes/{classes[0]['id']}/injections"
    named = {"kind": "dispute", "order_id": world.ids["order_c-a1"]}
    assert "order_id" in world.call("POST", class_url, world.headers["teacher"], json=named, expect=422)["fields"]
    # students: 403 in their own shop, 404 elsewhere; another class's instructor: 404
    world.call("POST", url, world.headers["student1"], json={"kind": "angry_message"}, expect=403)
    world.call("GET", url, world.headers["student1"], expect=403)
    world.call("POST", url, world.headers["student2"], json={"kind": "angry_message"}, expect=404)
    world.call("POST", url, world.headers["teacher2"], json={"kind": "angry_message"}, expect=404)
    world.call("POST", class_url, world.headers["teacher2"], json={"kind": "angry_message"}, expect=404)
    world.call("POST", class_url, world.headers["student1"], json={"kind": "angry_message"}, expect=403)
    assert _written(served) == before


def test_a_class_injection_skips_the_shops_without_a_fitting_order(served):
    world = build_world(served)
    class_id = world.call("GET", "/api/v1/classes", world.headers["teacher"])[0]["id"]
    class_url = f"/api/v1/classes/{class_id}/injections"
    before = _written(served)

    # no shop of the class has a parcel in transit: 409 naming order_id, every shop's reason, nothing written
    nowhere = world.call("POST", class_url, world.headers["teacher"], json={"kind": "lost_parcel"}, expect=409)
    assert nowhere["needed_state"] == "shipped" and "order_id" in nowhere["fields"]
    assert {world.shops["A"], world.shops["B"]} <= {skip["shop_id"] for skip in nowhere["skipped"]}
    assert _written(served) == before

    # unpaid orders only in shops A (c-a2's) and B (c-b1's): those two get the failure, the others are listed
    answer = world.call("POST", class_url, world.headers["teacher"],
                        json={"kind": "failed_payment", "reason": "declined"}, expect=202)  # fmt: skip
    reached = {row["shop_id"]: row["order_id"] for row in answer["injections"]}
    assert reached == {world.shops["A"]: world.ids["order_c-a2"], world.shops["B"]: world.ids["order_c-b1"]}
    assert len(answer["skipped"]) == 2  # the demo class's Amazon and eBay shops, without orders
    for skip in answer["skipped"]:
        assert skip["shop_id"] not in reached and skip["shop_name"] and skip["needed_state"] == "unpaid"
        assert skip["reason"].startswith("no unpaid order in this shop")
    assert _written(served) == (before[0] + 2, before[1] + 2)  # a record and its event per shop reached, no more

    # the owner acts on the order its record names
    pump(served)
    payments_url = f"/api/v1/shops/{world.shops['A']}/orders/{world.ids['order_c-a2']}/payments"
    payments = world.call("GET", payments_url, world.headers["student1"])
    payments = payments["items"] if isinstance(payments, dict) else payments
    assert [payment["failure_reason"] for payment in payments] == ["declined"]
    listed = world.call("GET", class_url, world.headers["teacher"])
    assert {(row["shop_id"], row["order_id"]) for row in listed} == set(reached.items())


def test_an_injection_whose_order_moved_on_is_marked_skipped(served):
    """Told which order it would take, the owner may still find it gone when the event arrives (here: the same lost
    parcel injected twice before the first was handled): it reports the skip, and the record says so."""
    world = build_world(served)
    in_transit = _paid_order(world, "A", "c-a1")
    _ship(world, "A", "c-a1", "student1", in_transit)
    [first] = _inject(world, "A", {"kind": "lost_parcel"})
    [second] = _inject(world, "A", {"kind": "lost_parcel"})
    assert first["order_id"] == second["order_id"] == in_transit
    assert first["outcome"] == second["outcome"] == "sent"
    pump(served, targets=("orders", "tickets", "gateway"))  # the orders worker, then the gateway's
    listed = {row["id"]: row for row in world.call("GET", f"/api/v1/shops/{world.shops['A']}/injections",
                                                   world.headers["teacher"])}  # fmt: skip
    assert listed[first["id"]]["outcome"] == "sent" and listed[first["id"]]["skipped_reason"] is None
    assert listed[second["id"]]["outcome"] == "skipped"
    assert listed[second["id"]]["skipped_reason"].startswith(f"order {in_transit} does not fit lost_parcel")


def test_each_injection_reaches_the_students_queue(served):
    world = build_world(served)
    served.start_workers(["orders", "tickets", "reviews"], SHOPLAB_SENTIMENT_WARM_UP="before_ready")
    _drained(served)  # the workers have taken the school's own events (handled once already by the test's pump)
    shop_a, shop_b = world.shops["A"], world.shops["B"]

    # a failed payment (orders) opens its 催付 task in the queue (tickets)
    order_a2 = world.ids["order_c-a2"]
    [failed] = _inject(world, "A", {"kind": "failed_payment", "order_id": order_a2, "reason": "3ds_timeout"})
    assert failed["details"]["reason"] == "3ds_timeout" and failed["language"] == "zh"
    _arrives(
        lambda: [t for t in _tickets(world, "A", "payment_reminder", "student1") if t["order_id"] == order_a2],
        "the payment-reminder task of the injected failure",
        failed,
        stack=served,
    )
    payments = world.call("GET", f"/api/v1/shops/{shop_a}/orders/{order_a2}/payments", world.headers["student1"])
    payments = payments["items"] if isinstance(payments, dict) else payments
    assert [payment["failure_reason"] for payment in payments] == ["3ds_timeout"]

    # a lost parcel (orders) opens a logistics task
    in_transit = _paid_order(world, "A", "c-a1")
    _ship(world, "A", "c-a1", "student1", in_transit)
    [lost] = _inject(world, "A", {"kind": "lost_parcel", "order_id": in_transit})
    _arrives(
        lambda: [t for t in _tickets(world, "A", "logistics", "student1") if "lost" in t["subject"]],
        "the logistics task of the lost parcel",
        lost,
        stack=served,
    )

    # a customs hold in the cross-border shop, on its newest shipped order (none named)
    in_transit_b = _paid_order(world, "B", "c-b1")  # the world's own was delivered and reviewed
    _ship(world, "B", "c-b1", "student2", in_transit_b)
    [held] = _inject(world, "B", {"kind": "customs_hold"})
    assert held["order_id"] == in_transit_b and held["language"] == "en"  # the record names the order taken
    _arrives(
        lambda: [t for t in _tickets(world, "B", "logistics", "student2") if "customs_hold" in t["subject"]],
        "the logistics task of the customs hold",
        held,
        stack=served,
    )

    # a dispute (tickets) on the order whose payment failed, once paid
    buyer_a = f"/api/v1/buyer/shops/{shop_a}/orders/{order_a2}/payments"
    world.call("POST", buyer_a, world.buyer("A", "c-a2"), json={"method": "alipay"})
    eventually(lambda: _paid_in_queue(served, shop_a, order_a2), message="order.paid reached tickets")
    [dispute] = _inject(world, "A", {"kind": "dispute", "order_id": order_a2, "reason": "damaged"})
    assert dispute["details"]["text"]  # a realistic statement, in Chinese
    _arrives(
        lambda: [t for t in _tickets(world, "A", "dispute", "student1") if t["order_id"] == order_a2],
        "the dispute's ticket",
        dispute,
        stack=served,
    )

    # an angry buyer in every shop of the class: Chinese in the Taobao-style shop, English in the cross-border one
    classes = world.call("GET", "/api/v1/classes", world.headers["teacher"])
    angry_class = world.call("POST", f"/api/v1/classes/{classes[0]['id']}/injections", world.headers["teacher"],
                             json={"kind": "angry_message", "note": "第 3 课"}, expect=202)  # fmt: skip
    angry, skipped = angry_class["injections"], angry_class["skipped"]
    assert {shop_a, shop_b} <= {row["shop_id"] for row in angry} and not skipped  # an angry buyer always writes
    by_shop = {row["shop_id"]: row["order_id"] for row in angry}
    assert by_shop[shop_a] and by_shop[shop_b]  # about each shop's newest order
    for shop, student in (("A", "student1"), ("B", "student2")):
        complaints = _arrives(
            lambda s=shop, st=student: _tickets(world, s, "complaint", st),
            f"the complaint in shop {shop}",
            angry,
            stack=served,
        )
    first_complaint = _tickets(world, "A", "complaint", "student1")[0]["id"]
    complaint_a = world.call("GET", f"/api/v1/shops/{shop_a}/tickets/{first_complaint}", world.headers["student1"])
    buyer_words = [m["body"] for m in complaint_a["messages"] if m["author"] == "buyer"]
    assert buyer_words and "{" not in buyer_words[0] and any("\u4e00" <= ch <= "\u9fff" for ch in buyer_words[0])
    assert complaints[0]["language"] == "en"  # shop B's

    # a flood of 6 pre-sale questions from 6 buyers
    [flood] = _inject(world, "B", {"kind": "presale_flood", "count": 6})
    eventually(lambda: len(_tickets(world, "B", "pre_sale", "student2")) == 6, message="six pre-sale questions")
    questions = _arrives(
        lambda: _tickets(world, "B", "pre_sale", "student2"), "six pre-sale questions", flood, stack=served
    )
    assert len({t["customer_id"] for t in questions}) == 6

    # a one-star review (reviews) on the newest delivered order, as the orders service tells of deliveries
    with served.runtime("reviews").db.reading() as session:
        now = eventually(lambda: _shop_now(session, shop_a), timeout=10)
    deliver(served, "order.placed", shop_a, placed("o-delivered", at=now - timedelta(days=3)))
    deliver(served, "order.delivered", shop_a, delivered("o-delivered", at=now - timedelta(days=1)))
    [review] = _inject(world, "A", {"kind": "one_star_review"})
    assert review["order_id"] == "o-delivered"  # the reviews service's newest reviewable order

    def one_star() -> list[dict]:
        answer = served.client("reviews").get(f"/shops/{shop_a}/reviews")
        rows = answer.get_json()
        rows = rows["items"] if isinstance(rows, dict) else rows
        return [row for row in rows if row["stars"] == 1 and row["order_id"] == "o-delivered"]

    [posted] = _arrives(one_star, "the one-star review", review, stamp="posted_wall_at", stack=served)
    assert "{" not in posted["text"] and posted["needs_follow_up"]

    # the record: who, when, what, where
    listed = world.call("GET", f"/api/v1/shops/{shop_a}/injections", world.headers["teacher"])
    assert [row["kind"] for row in listed] == [
        "one_star_review",
        "angry_message",
        "dispute",
        "lost_parcel",
        "failed_payment",
    ]
    assert all(row["created_by"] == world.users["teacher"] and row["created_at"] for row in listed)
    in_class = world.call("GET", f"/api/v1/classes/{classes[0]['id']}/injections", world.headers["teacher"])
    assert len(in_class) == 6 + len(angry) and sum(row["class_id"] is not None for row in in_class) == len(angry)


def _shop_now(session, shop_id: str):
    try:
        return shop_context(session, shop_id).shop_now
    except Exception:
        return None


def _paid_in_queue(stack, shop_id: str, order_id: str) -> bool:
    """The queue has heard the order is paid (a dispute needs a paid order; events between services keep no order)."""
    from services.tickets.models import OrderFacts

    with stack.runtime("tickets").db.reading() as session:
        facts = session.get(OrderFacts, (shop_id, order_id))
        return facts is not None and facts.paid_amount_cents is not None
