"""The work beyond the chat queue: unpaid orders to remind, refunds and returns waiting for a decision, disputes with
their deadlines on the shop's clock; each row opens the conversation or the order."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_student_journey import sign_in


def test_the_work_lists_open_the_conversation_or_the_order(classroom, new_page):
    shop = classroom.shop_of("student1")
    classroom.known_to_services(shop["id"])
    buyers = classroom.buyers(shop["id"])
    unpaid = buyers.order("li")
    refunded = buyers.order("zhao")
    buyers.pay("zhao", refunded["id"])
    disputed = buyers.order("sun")
    buyers.pay("sun", disputed["id"])
    classroom.advance_to_daytime(shop["id"], at_least=15 * 60)  # the unpaid order may be reminded by now
    refund = buyers.refund("zhao", refunded["id"], reason="damaged", amount="10.00")
    dispute_path = buyers.path("/disputes")
    buyers.api.call("POST", dispute_path, headers={"X-Customer-Id": "sun"}, json={
        "order_id": disputed["id"], "reason": "not_received", "amount_requested": "20.00", "evidence": ["聊天截图"],
    })  # fmt: skip

    recorded = new_page()
    page = recorded.page
    sign_in(page, classroom.url, "student1")
    page.click("text=待办工作")
    due = page.locator(f'#reminders-due tr[data-order-id="{unpaid["id"]}"]')
    expect(due).to_contain_text("李华", timeout=10_000)
    expect(page.locator("#after-sale-waiting .refund-row")).to_contain_text("赵敏", timeout=10_000)
    expect(page.locator("#open-disputes")).to_contain_text(disputed["order_no"], timeout=10_000)
    recorded.screenshot("work-lists")

    # an unpaid order without a conversation opens the order itself, with the 催付 form
    due.locator("a").click()
    expect(page.locator("#order-card")).to_contain_text(unpaid["order_no"])
    expect(page.locator("#send-reminder")).to_be_visible()
    page.go_back()
    # a refund opens its conversation (the refund task), with the decision beside it
    page.locator("#after-sale-waiting .refund-row a").first.click()
    expect(page.locator(f'.refund[data-refund-id="{refund["id"]}"] .approve-refund')).to_be_visible()
    page.go_back()
    # a dispute opens its conversation, with its deadline on the shop's clock and the settlement form
    page.locator("#open-disputes a").first.click()
    expect(page.locator("#dispute-card")).to_contain_text("答复截止")
    expect(page.locator("#dispute-card select[name=kind]")).to_be_visible()
