"""Every system event the tickets service writes can be said in both of the workbench's languages: each code has a
wording in the gateway (``gateway/web/system_events.py``), and the params the service really sends — gathered here
by driving every rule that writes one — are worded in Chinese and English without falling back to the English
text. A new call site without a code, or a code without a wording, fails here."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from gateway.web import install_web
from gateway.web.system_events import WORDINGS, text_of
from services.tickets import disputes, escalation
from services.tickets.models import Message
from services.tickets.opening import open_ticket
from services.tickets.policy import policy_for
from services.tickets.schemas.conversation import MessageOut
from services.tickets.system_events import CODES, Line
from services.tickets.system_lines import add_line
from tests.unit.tickets.conftest import T0, at, ctx, paid, placed, seat, shop_at
from tests.unit.tickets.test_care_tasks import due as care_due
from tests.unit.tickets.test_flagged_orders import flagged
from tests.unit.tickets.test_review_tasks import posted, removed, revised, window_closed

TICKETS = Path(__file__).resolve().parents[3] / "services" / "tickets"
ORDER = {"order_id": "o1", "order_no": "NO-o1", "customer_id": "c1"}


def test_every_code_has_a_wording_and_every_wording_a_code():
    assert sorted(WORDINGS) == sorted(CODES)


def test_a_system_event_without_a_known_code_is_refused(session, shop):
    """The English text alone cannot be said in Chinese: a line without a code the workbench knows is not written."""
    ticket = open_ticket(session, *shop_at(session, at(0)), kind="pre_sale", customer_id="c1", body="在吗")
    for code in (None, "made_up"):
        with pytest.raises(ValueError):
            add_line(session, ctx(session, at(1)), ticket, Line("something happened", code))


def test_only_system_lines_writes_system_events():
    """Every other module writes through ``add_line`` (or ``add_suggestion``), so no event line goes without a code."""
    writers = []
    for path in sorted(TICKETS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Message", "new_message"):
                kinds = [
                    a.value for a in node.args if isinstance(a, ast.Constant) and a.value in ("event", "suggestion")
                ]
                kinds += [k.value.value for k in node.keywords if k.arg == "kind" and isinstance(k.value, ast.Constant)]
                if {"event", "suggestion"} & set(kinds) and path.name != "system_lines.py":
                    writers.append(f"{path.relative_to(TICKETS)}:{node.lineno}")
    assert writers == []


def _every_event(session, handle) -> None:
    """Drive each rule that writes a system event, with payloads as the producers send them."""
    seat(session, "s1", "a1", skills=["pre_sale", "after_sale"])
    handle("care.task_due", care_due(), 0)
    handle("care.task_due", care_due("ct2", timezone=None, expires_in=None, grade=None, segment=None), 0)
    handle("order.placed", placed("o1", "c1", "80.00"), 1)
    handle("payment.reminder_due", {**ORDER, "amount": "80.00", "currency": "CNY",
                                    "pay_by": (T0 + timedelta(hours=24)).isoformat(),
                                    "failure_reason": "insufficient_funds"}, 2)  # fmt: skip
    handle("customer.flagged_order", flagged(), 3)
    handle("order.paid", paid("o1", "c1", "80.00"), 4)  # closes the reminder: task_closed
    handle("shipment.exception", {**ORDER, "shipment_id": "sh1", "carrier": "SF", "tracking_no": "SF123",
                                  "kind": "customs_hold", "detail": "held at customs",
                                  "occurred_at": T0.isoformat()}, 5)  # fmt: skip
    handle("refund.requested", {**ORDER, "refund_id": "rf1", "amount": "20.00", "currency": "CNY",
                                "reason": "damaged", "kind": "refund_only", "note": "杯子裂了",
                                "occurred_at": T0.isoformat()}, 6)  # fmt: skip
    handle("return.requested", {**ORDER, "return_id": "rt1", "status": "requested", "occurred_at": T0.isoformat()}, 7)
    handle("review.posted", posted(mismatch="low_stars_positive_text"), 8)
    handle("review.revised", revised(1, "negative", "same", False), 9)  # review_revised_down
    handle("review.posted", {**posted(), "review_id": "rv2"}, 10)
    handle("review.revised", {**revised(5, "positive", "up", True), "review_id": "rv2"}, 11)
    handle("review.posted", {**posted(), "review_id": "rv3"}, 12)
    handle("review.removed", {**removed(), "review_id": "rv3"}, 13)
    handle("review.posted", {**posted(2, "neutral"), "review_id": "rv4"}, 14)
    handle("review.revised", {**revised(3, "neutral", "up", False), "review_id": "rv4"}, 15)
    handle("review.posted", {**posted(), "review_id": "rv5"}, 16)
    handle("review.revision_window_closed", {**window_closed(), "review_id": "rv5"}, 17)
    opened = disputes.open_dispute(session, *shop_at(session, at(20)), order_id="o1", reason="not_as_described",
                                   amount_requested=8000, evidence=["photo.jpg"])  # fmt: skip
    disputes.propose(session, ctx(session, at(21)), opened, agent_id="a1", kind="partial_refund", amount=3000)
    disputes.decide(session, *shop_at(session, at(22)), opened, accept=False)
    disputes.propose(session, ctx(session, at(23)), opened, agent_id="a1", kind="reject", evidence=["qc.pdf"])
    disputes.decide(session, *shop_at(session, at(24)), opened, accept=False, comment="不公平")
    shop = ctx(session, T0 + timedelta(days=6))
    escalation.escalate_due(session, shop, policy_for(session, shop))
    handle("order.placed", placed("o2", "c2", "50.00"), 30)
    handle("order.paid", paid("o2", "c2", "50.00"), 31)
    settled = disputes.open_dispute(session, *shop_at(session, at(32)), order_id="o2", reason="damaged",
                                    amount_requested=5000, evidence=[])  # fmt: skip
    disputes.propose(session, ctx(session, at(33)), settled, agent_id="a1", kind="full_refund")
    disputes.decide(session, *shop_at(session, at(34)), settled, accept=True)
    session.flush()


@pytest.fixture
def sent(session, shop, handle) -> list[dict]:
    """Every system event written, as the tickets API sends it (``MessageOut``)."""
    _every_event(session, handle)
    events = session.scalars(select(Message).where(Message.kind == "event").order_by(Message.id)).all()
    return [MessageOut().dump(message) for message in events]


def _page(locale: str):
    app = Flask("wording")
    app.config["SECRET_KEY"] = "x"
    install_web(app, pages=False)
    return app.test_request_context("/", headers={"Cookie": f"shoplab_lang={locale}"})


def test_every_code_is_written_and_worded_in_both_languages(sent):
    assert {m["code"] for m in sent} == set(CODES), "drive the rule that writes the new code in _every_event"
    worded: dict[str, list[str]] = {}
    for locale in ("zh_CN", "en"):
        with _page(locale):
            for message in sent:
                lines = WORDINGS[message["code"]](message["params"])  # raises on params it cannot word
                assert lines and all(lines), message
                worded.setdefault(locale, []).append("\n".join(lines))
                assert text_of(message) == "\n".join(lines)
    for message, chinese, english in zip(sent, worded["zh_CN"], worded["en"], strict=True):
        assert chinese != english, message["code"]
        assert chinese != message["body"], message["code"]


def test_the_chinese_page_says_a_review_line_in_chinese(sent):
    review = next(m for m in sent if m["code"] == "review_posted")
    with _page("zh_CN"):
        first, excerpt, scores, mismatch, revise_by, ref = text_of(review).splitlines()
    assert first == "差评 1★，买家 王小明，订单 NO-o1，商品 纯棉T恤（TB1001-BLACK-M）："
    assert excerpt == "“质量太差了，洗一次就掉色”"
    assert scores == "评分：描述相符 1，服务态度 3，物流服务 4；文字情感负面（-0.91）"
    assert mismatch == "星级与文字不一致：低星但内容正面" and ref == "评价编号 rv1"
    assert revise_by.startswith("买家可在 2026年12月2日")


def test_a_message_without_a_code_or_with_one_unknown_shows_its_text():
    with _page("zh_CN"):
        assert text_of({"body": "closed automatically: expired", "code": None, "params": None}) == (
            "closed automatically: expired"
        )
        assert text_of({"body": "something new", "code": "from_a_newer_service", "params": {}}) == "something new"
        assert text_of({"body": "odd params", "code": "task_closed", "params": {"why": 1}}) == "odd params"
