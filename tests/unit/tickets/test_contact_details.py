"""The cross-border profiles' contact-details rule against real numbers: phone numbers of many countries are caught
(refused on AliExpress and Amazon, a warning on eBay), while a reply naming its conversation's own order number or
tracking number goes through — the simulator's author found every 18-digit order number refused.

Order numbers are made as the orders service makes them (``services/orders/ordering.py``: the shop date, then 12
digits of the order's random id); tracking numbers are every carrier's own example (``services/orders/catalog/
carriers.yaml``, each checked there against its carrier's format)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.orders.carriers import carriers
from services.tickets import messages, order_tasks
from services.tickets.opening import open_ticket
from shoplab.content_rules import check_text, screen
from shoplab.errors import InvalidInput
from shoplab.shops.profiles import load_profile
from tests.unit.tickets.conftest import T0, at, event, open_shop, placed, seat, shop_at

CROSS_BORDER = ("aliexpress", "amazon", "ebay")
RULES = {platform: load_profile(platform)["forbidden_content"] for platform in CROSS_BORDER}

PHONES = [
    "+1 415 555 0100", "(415) 555-0100", "415-555-0100", "415.555.0100", "+1-800-555-0199",  # US
    "+44 20 7946 0958", "020 7946 0958", "07700 900123", "+44 (0)20 7946 0958",  # UK
    "+49 30 12345678", "030 12345678", "0151 23456789", "030/1234567",  # Germany
    "+33 1 23 45 67 89", "01 23 45 67 89",  # France
    "+34 612 34 56 78", "+7 (916) 123-45-67", "8 916 123-45-67",  # Spain, Russia
    "+86 138 0013 8000", "13800138000", "138-0013-8000",  # China
    "+81 3-1234-5678", "090-1234-5678", "+82 10-1234-5678",  # Japan, Korea
    "+55 11 91234-5678", "+91 98765 43210", "+61 2 9876 5432", "0412 345 678",  # Brazil, India, Australia
    "+852 2345 6789", "+65 6123 4567", "6123 4567",  # Hong Kong, Singapore
]  # fmt: skip


def order_numbers(count: int = 200) -> list[str]:
    """Order numbers as the orders service makes them, over a year of shop dates."""
    numbers = []
    for i in range(count):
        order_id = uuid.uuid4().hex
        day = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i * 365 // count)
        numbers.append(f"{day:%y%m%d}{int(order_id[:14], 16) % 10**12:012d}")
    return numbers


def contact_rule(found):
    return [v.matched for v in found if v.rule_id == "contact_details"]


@pytest.mark.parametrize("platform", CROSS_BORDER)
@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_of_many_countries_are_caught(platform, phone):
    for text in (f"Call me on {phone} please", f"{phone}", f"我的电话{phone}号", f"тел.{phone}"):
        assert contact_rule(check_text(text, RULES[platform])) == [(phone,)], text


@pytest.mark.parametrize("platform", CROSS_BORDER)
def test_order_numbers_tracking_numbers_dates_and_prices_are_not_phone_numbers(platform):
    lettered_or_long = [c["example"] for c in carriers().values() if not (c["example"].isdigit() and
                                                                          len(c["example"]) <= 15)]  # fmt: skip
    texts = [f"Your order {number} is on its way." for number in order_numbers()]
    texts += [f"Tracking number {number}" for number in lettered_or_long]
    texts += ["It will arrive by 2026-11-10 10:00.", "Delivered on 10/11/2026", "Posted 11.10.2026",
              "The total is $1,299.00 for 2 pcs", "Order 261110 123456 789012", "9400 1118 9922 3197 4284 90",
              "SKU AE2002-WHITE, ASIN B07XJ8C8F5"]  # fmt: skip
    for text in texts:
        assert contact_rule(check_text(text, RULES[platform])) == [], text


@pytest.mark.parametrize("platform", CROSS_BORDER)
def test_a_digits_only_tracking_number_is_quotable_only_as_the_conversations_own(platform):
    for carrier in ("DHL", "FedEx"):  # 10 and 12 digits: a phone's shape, so only knowing the parcel tells them apart
        number = carriers()[carrier]["example"]
        spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        text = f"Your {carrier} tracking number is {number}, written {spaced}."
        assert contact_rule(check_text(text, RULES[platform])) == [(number, spaced)]
        assert contact_rule(check_text(text, RULES[platform], quotable=["NO-1", number])) == []
        # the parcel is quotable, a phone beside it is not; nor is a longer number that merely contains it
        beside = check_text(f"{text} Or call +1 415 555 0100.", RULES[platform], quotable=[number])
        assert contact_rule(beside) == [("+1 415 555 0100",)]
        assert contact_rule(check_text(f"call 1{number}", RULES[platform], quotable=[number])) == [(f"1{number}",)]


def test_short_facts_are_not_exempted():
    assert contact_rule(check_text("call 555 0100 1", RULES["amazon"], quotable=["55501001"])) == []
    assert contact_rule(check_text("call 555 0100 1", RULES["amazon"], quotable=["01001"])) == [("555 0100 1",)]


def test_refused_on_aliexpress_and_amazon_a_warning_on_ebay():
    for platform in ("aliexpress", "amazon"):
        with pytest.raises(InvalidInput) as refused:
            screen("No need to chat elsewhere, just call 13800138000", RULES[platform])
        assert refused.value.fields == {"body": ["contact_details: 13800138000"]}
    warnings = screen("Call +44 20 7946 0958", RULES["ebay"])
    assert [(w.rule_id, w.matched) for w in warnings] == [("contact_details", ("+44 20 7946 0958",))]


@pytest.mark.parametrize("platform", CROSS_BORDER)
def test_a_reply_quoting_its_own_order_and_parcel_is_sent(session, platform):
    open_shop(session, platform=platform)
    seat(session, "s1", "a1")
    [order_no] = order_numbers(1)
    order_tasks.on_order_placed(session, event("order.placed", "s1", {**placed("o1", "c1"), "order_no": order_no},
                                               at(0)))  # fmt: skip
    shipped = {"order_id": "o1", "order_no": order_no, "customer_id": "c1", "shipment_id": "sh1", "carrier": "FedEx",
               "tracking_no": "449044304137", "shipped_at": T0.isoformat()}  # fmt: skip
    order_tasks.on_order_shipped(session, event("order.shipped", "s1", shipped, at(1)))
    ticket = open_ticket(session, *shop_at(session, at(2)), kind="order", customer_id="c1", order_id="o1",
                         body="Where is my parcel?")  # fmt: skip
    reply = f"Order {order_no} left with FedEx, tracking 4490 4430 4137, that is 449044304137."
    message, warnings = messages.agent_replies(session, *shop_at(session, at(3)), ticket, "a1", reply)
    assert message.body == reply and warnings == []
    other = open_ticket(session, *shop_at(session, at(4)), kind="pre_sale", customer_id="c2", body="Hello")
    outcome = pytest.raises(InvalidInput) if platform != "ebay" else None
    if outcome is None:  # eBay warns: the parcel of another conversation looks like a phone number there
        _, warned = messages.agent_replies(session, *shop_at(session, at(5)), other, "a1", reply)
        assert [w.rule_id for w in warned] == ["contact_details"]
    else:
        with outcome:
            messages.agent_replies(session, *shop_at(session, at(5)), other, "a1", reply)
