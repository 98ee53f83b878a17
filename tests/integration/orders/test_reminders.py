"""Payment reminders (催付): the due list follows the profile's rules on the shop's clock; sending, the result note,
and recovered orders."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.orders.shop_setup import AGENT, move_clock, open_shop, outbox, pay, place


def test_due_list_send_note_and_recovery(stack):
    shop = open_shop(stack, paused=True)  # 10:00 in Shanghai
    client = stack.client("orders")
    first = place(stack, shop)
    failed = client.post(
        f"/shops/{shop}/orders/{first['id']}/payments",
        json={"method": "card", "result": "failed", "failure_reason": "insufficient_funds"},
    )
    assert failed.status_code == 201
    due = lambda: client.get(f"/shops/{shop}/reminders/due").get_json()  # noqa: E731
    assert due() == []  # the buyer may still be at the checkout (10 minutes)
    move_clock(stack, shop, by=timedelta(minutes=10))
    second = place(stack, shop)
    listed = due()
    assert [row["order_id"] for row in listed] == [first["id"]]
    assert listed[0]["payment_failure"] == "insufficient_funds"

    path = f"/shops/{shop}/orders/{first['id']}/reminders"
    wrong_channel = client.post(path, json={"channel": "whatsapp", "text": "hi", "sent_by": AGENT})
    assert wrong_channel.status_code == 422 and "channel" in wrong_channel.get_json()["fields"]
    sent = client.post(path, json={"channel": "chat", "text": "亲，您的订单还未付款哦～", "sent_by": AGENT})
    assert sent.status_code == 201
    reminder = sent.get_json()
    too_soon = client.post(path, json={"channel": "sms", "text": "再提醒一次", "sent_by": AGENT})
    assert too_soon.status_code == 409
    body = too_soon.get_json()
    assert body["reason"] == "too_soon_after_last_reminder" and body["next_allowed_at"]
    assert due() == []

    noted = client.post(
        f"{path}/{reminder['id']}/note",
        json={"outcome": "payment_problem", "note": "余额不足，晚上发工资后付款", "noted_by": AGENT},
    )
    assert noted.status_code == 200 and noted.get_json()["outcome"] == "payment_problem"
    assert client.get(path).get_json()[0]["note"] == "余额不足，晚上发工资后付款"

    move_clock(stack, shop, by=timedelta(minutes=120))
    assert {row["order_id"] for row in due()} == {first["id"], second["id"]}
    assert client.post(path, json={"channel": "sms", "text": "最后提醒", "sent_by": AGENT}).status_code == 201
    limit = client.post(path, json={"channel": "sms", "text": "还有吗", "sent_by": "agent-zhao"})
    assert limit.status_code == 409 and limit.get_json()["reason"] == "limit_reached"

    pay(stack, shop, first["id"])
    paid = outbox(stack, shop, "order.paid")[0]["payload"]
    assert paid["reminded"] is True
    types = [e["type"] for e in outbox(stack, shop)]
    assert types.count("payment.reminder_sent") == 2 and "payment.reminder_noted" in types
    after_pay = client.post(path, json={"channel": "chat", "text": "?", "sent_by": AGENT})
    assert after_pay.status_code == 409 and after_pay.get_json()["current_state"] == "paid"


def test_quiet_hours_follow_the_buyers_time_zone(stack):
    shop = open_shop(stack, "aliexpress", paused=True)  # 02:00 UTC = 21:00 in New York
    client = stack.client("orders")
    order = place(stack, shop, "aliexpress")
    move_clock(stack, shop, by=timedelta(hours=1))  # 22:00 in New York: quiet until 08:00
    assert client.get(f"/shops/{shop}/reminders/due").get_json() == []
    refused = client.post(
        f"/shops/{shop}/orders/{order['id']}/reminders",
        json={"channel": "email", "text": "Your order is waiting", "sent_by": AGENT},
    )
    assert refused.status_code == 409 and refused.get_json()["reason"] == "buyer_quiet_hours"
    assert refused.get_json()["next_allowed_at"].startswith("2026-11-10T08:00:00-05:00")
    move_clock(stack, shop, by=timedelta(hours=10))  # 08:00 in New York
    assert [row["order_id"] for row in client.get(f"/shops/{shop}/reminders/due").get_json()] == [order["id"]]
