"""A student's lesson in a real browser, on a running ShopLab (the gateway, orders and tickets on real sockets with
their workers): sign in, a buyer's message arrives live, a quick phrase with placeholders, a forbidden reply refused
with its rule, a good reply, a payment reminder with its result note, a refund approved, the first response time in
My metrics. The screenshots of docs/screenshots/ are taken on the way."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.classroom import now

LIVE_SECONDS = 2.0  # the promise: a new message appears without reloading within 2 s


def sign_in(page, url: str, username: str, password: str = "student-demo") -> None:
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in")


def test_a_student_works_the_queue(classroom, new_page):
    shop = classroom.shop_of("student1")
    classroom.known_to_services(shop["id"])
    buyers = classroom.buyers(shop["id"])
    recorded = new_page()
    page = recorded.page

    page.goto(classroom.url + "/")
    expect(page.locator("#sign-in")).to_be_visible()
    recorded.screenshot("sign-in")
    sign_in(page, classroom.url, "student1")
    expect(page.locator(".queue")).to_be_visible()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "on")
    page.click("#online-toggle")
    expect(page.locator("#online-toggle")).to_have_attribute("data-online", "true")

    # a buyer orders and asks; the conversation appears in the queue without reloading
    order = buyers.order("wang")
    started = now()
    ticket = buyers.ask("wang", "你好，这件衣服有 XL 吗？什么时候发货？", order_id=order["id"])
    row = page.locator(f'.queue-row[data-ticket-id="{ticket["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_SECONDS * 1000)
    assert now() - started < LIVE_SECONDS + 0.5
    expect(row.locator(".last-message")).to_contain_text("亲，您好")  # the auto first reply is the last word
    row.locator(".row-link").click()
    expect(page.locator("#conv-buyer")).to_have_text("王小明")
    expect(page.locator(".entry-buyer").first).to_contain_text("有 XL 吗")
    expect(page.locator(".entry-auto")).to_be_visible()
    expect(page.locator("#order-state")).to_have_text("待付款")
    recorded.screenshot("workbench")

    # the buyer writes again while the conversation is open: it appears without reloading, as text (escaped)
    buyers.write("wang", ticket["id"], "<script>document.title='hacked'</script><b>在吗？</b>")
    expect(page.locator(".entry-buyer").last).to_contain_text("<script>", timeout=LIVE_SECONDS * 1000)
    assert page.title() != "hacked" and page.locator(".entry-buyer b").count() == 0

    # a quick phrase with placeholders, saved by the student and used with "/": previewed filled from the order
    page.click("text=新建快捷短语")
    page.fill("#phrase-title", "发货时间")
    page.fill("#phrase-body", "亲爱的{buyer_name}，您的订单{order_no}付款后48小时内发货哦～")
    page.click("#save-phrase")
    expect(page.locator(".toast").last).to_contain_text("快捷短语已保存")
    page.click("#reply-body")
    page.keyboard.type("/发货")
    expect(page.locator("#phrase-menu")).to_be_visible()
    expect(page.locator("#phrase-menu li.active")).to_contain_text("/发货时间")
    page.keyboard.press("Enter")
    filled = f"亲爱的王小明，您的订单{order['order_no']}付款后48小时内发货哦～"
    expect(page.locator("#reply-body")).to_have_value(filled)
    expect(page.locator("#phrase-preview")).to_contain_text(filled)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".entry-agent").last).to_contain_text(filled, timeout=5000)

    # a reply that breaks the platform's rules: the rule and the words are shown before and when sending
    page.fill("#reply-body", "加微信聊吧，我们全网最低价")
    expect(page.locator("#rule-check.verdict-refuse")).to_contain_text("引导买家线下交易")
    expect(page.locator("#rule-check")).to_contain_text("微信")
    page.click("#send-reply")
    expect(page.locator("#reply-error")).to_contain_text("违反平台规则")
    expect(page.locator("#reply-error")).to_contain_text("全网最低")
    recorded.screenshot("rule-refused")
    assert "加微信" not in page.locator("#timeline").inner_text()

    # a good reply, sent with Ctrl+Enter
    page.fill("#reply-body", "亲，XL 有货的，今天拍下明天就能发出。")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".entry-agent").last).to_contain_text("XL 有货的")
    expect(page.locator("#reply-body")).to_have_value("")
    expect(page.locator("#conv-status")).to_have_attribute("data-status", "open")

    # the buyer's payment fails; after a while the student sends a payment reminder and notes its result
    buyers.pay("wang", order["id"], failure="insufficient_funds")
    expect(page.locator("#payments-card")).to_contain_text("余额不足", timeout=LIVE_SECONDS * 1000)
    classroom.advance_to_daytime(shop["id"], at_least=15 * 60)  # reminders wait a while after the order
    page.select_option("#remind-channel", "chat")
    page.fill("#remind-note", "买家说余额不足，晚点换卡")
    page.click("#send-reminder")
    expect(page.locator("#reminders .reminder")).to_have_count(1)
    reminder = page.locator("#reminders .reminder").first
    reminder.locator('select[name="outcome"]').select_option("will_pay")
    reminder.locator('input[name="note"]').fill("买家说今晚付款")
    reminder.locator(".note-result").click()
    expect(page.locator("#reminders .reminder-result")).to_contain_text("会付款")
    expect(page.locator("#reminders .reminder-result")).to_contain_text("买家说今晚付款")
    expect(page.locator(".entry-business").filter(has_text="已催付")).to_be_visible()

    # the buyer pays, then asks for a refund: the student approves it from the panel
    buyers.pay("wang", order["id"])
    expect(page.locator("#order-state")).to_have_text("待发货", timeout=LIVE_SECONDS * 1000)
    buyers.refund("wang", order["id"], reason="quality")
    approve = page.locator(".approve-refund")
    expect(approve).to_be_visible(timeout=LIVE_SECONDS * 1000)
    recorded.screenshot("refund-panel")
    approve.click()
    expect(page.locator(".refund .refund-status").first).to_have_text("已退款")
    expect(page.locator(".entry-business").filter(has_text="买家申请退款")).to_be_visible()

    # My metrics: the first response time, with its charts drawn by the vendored ECharts
    page.click("text=我的数据")
    expect(page.locator("#kpi-first-response .kpi-value")).not_to_have_text("—")
    expect(page.locator(".charts")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-buckets svg")).to_be_visible()
    recorded.screenshot("my-metrics")


def test_a_chat_unanswered_for_100_seconds_turns_red(classroom, new_page):
    """千牛's rule in a chat shop (taobao): after 100 s without an answer the row turns red and a corner note sends
    the student to the longest-waiting buyer. The browser's clock is moved on instead of waiting 100 s."""
    shop = classroom.shop_of("student1")
    classroom.known_to_services(shop["id"])
    recorded = new_page()
    page = recorded.page
    page.clock.install()
    sign_in(page, classroom.url, "student1")
    page.click("#tab-all")
    expect(page.locator("#tab-all")).to_have_attribute("aria-selected", "true")
    ticket = classroom.buyers(shop["id"]).ask("zhao", "在吗？想问下尺码")
    row = page.locator(f'.queue-row[data-ticket-id="{ticket["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_SECONDS * 1000)
    expect(row).not_to_have_class(re.compile("qianniu-late"))
    page.clock.fast_forward(101_000)
    expect(row).to_have_class(re.compile("qianniu-late"))
    expect(row.locator(".badge.qianniu")).to_have_text("超100秒")
    expect(row.locator(".countdown")).to_have_class(re.compile("amber"))  # red once the shop's target is missed
    expect(page.locator(".qianniu-note")).to_contain_text("有买家等待已超过100秒")
    recorded.screenshot("qianniu-100s")
    page.locator(".qianniu-note button.primary").click()
    expect(page.locator(".conversation")).to_be_visible()
    expect(page.locator(".qianniu-note")).to_have_count(0)
