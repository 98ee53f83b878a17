"""Reviews and customers in a real browser, on a running ShopLab (the gateway, orders, tickets, reviews and crm on
real sockets with their workers): a buyer's 1-star review of a delivered order reaches the Reviews page; the
student's reply is checked against the platform's rules while it is typed (a refused text shows its rule and
words), then published; in the conversation with that buyer the side panel shows the customer's CRM tags, and a tag
added there appears; the pages render in English too. The screenshots of docs/screenshots/ are taken on the way."""

from __future__ import annotations

from playwright.sync_api import expect

from shoplab.eventbus.outbox import publish
from tests.browser.test_student_journey import sign_in
from tests.stack import eventually

CUSTOMER = "sun"  # 孙丽: no other browser test writes as her


def reviewed_order(classroom, shop_id: str) -> tuple[dict, dict, dict]:
    """An order of the customer, paid and delivered (the delivery from the orders service's outbox: the parcel's
    journey is the orders service's own business), a 1-star review of it, and a conversation about it."""
    buyers = classroom.buyers(shop_id)
    order = buyers.order(CUSTOMER)
    buyers.pay(CUSTOMER, order["id"])
    delivered = {"order_id": order["id"], "order_no": order["order_no"], "customer_id": CUSTOMER,
                 "shipment_id": "sh-browser", "delivered_at": order["placed_at"]}  # fmt: skip
    with classroom.stack.runtime("orders").db.writing() as session:
        publish(session, "order.delivered", shop_id=shop_id, payload=delivered)
    reviews = classroom.stack.client("reviews")
    eventually(
        lambda: reviews.get(f"/shops/{shop_id}/orders/{order['id']}/reviewable").get_json().get("reviewable"),
        timeout=30,
        message="the reviews service knows the delivered order",
    )
    scores = {"as_described": 1, "service": 1, "logistics": 4}
    body = {"customer_id": CUSTOMER, "sku": order["lines"][0]["sku"], "stars": 1,
            "text": "质量太差了，洗一次就破了，客服也不理人", "scores": scores}  # fmt: skip
    posted = reviews.post(f"/shops/{shop_id}/orders/{order['id']}/reviews", json=body)
    assert posted.status_code == 201, posted.get_json()
    ticket = buyers.ask(CUSTOMER, "我的差评你们看到了吗？", order_id=order["id"])
    return order, posted.get_json(), ticket


def test_a_student_replies_to_a_negative_review_and_sees_the_customers_tags(classroom, new_page):
    shop = classroom.shop_of("student1")
    classroom.known_to_services(shop["id"])
    order, review, ticket = reviewed_order(classroom, shop["id"])
    student = classroom.login("student1", "student-demo")
    crm = f"/api/v1/shops/{shop['id']}/customers/{CUSTOMER}"
    eventually(lambda: classroom._answers(student, crm), timeout=30, message="crm has the customer's profile")
    student.call("POST", f"{crm}/tags", json={"tag": "质量投诉"})

    recorded = new_page()
    page = recorded.page
    sign_in(page, classroom.url, "student1")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "on")
    page.click("nav.topnav >> text=评价管理")
    card = page.locator(f'.review-card[data-review-id="{review["id"]}"]')
    expect(card).to_be_visible()
    expect(card.locator(".badge.rating-negative")).to_have_text("差评")
    expect(card.locator(".stars")).to_have_text("★☆☆☆☆")
    expect(card.locator(".sentiment")).to_contain_text("差评")
    expect(page.locator("#chart-stars svg")).to_be_visible()

    # the reply is checked while it is typed: a text that breaks the platform's rules shows the rule and the words
    reply = card.locator("form.review-reply")
    reply.locator("textarea").fill("亲，加微信给您返现，改个好评吧")
    expect(reply.locator(".rule-check.verdict-refuse")).to_contain_text("引导买家线下交易")
    expect(reply.locator(".rule-check")).to_contain_text("微信")
    reply.locator("button[type=submit]").click()
    expect(reply.locator(".form-error")).to_contain_text("引导买家线下交易")  # refused by the reviews service too
    good = "非常抱歉给您带来不好的体验，已为您安排补发新品，有问题随时联系我们。"
    reply.locator("textarea").fill(good)
    expect(reply.locator(".rule-check.verdict-ok")).to_be_visible()
    recorded.screenshot("reviews")
    reply.locator("button[type=submit]").click()
    expect(card.locator(".review-reply-text")).to_contain_text(good)

    # the conversation with that buyer: the customer's CRM tags beside the chat; a tag added there appears
    page.goto(f"{classroom.url}/desk/{shop['id']}?ticket={ticket['id']}&tab=all")
    tags = page.locator("#customer-tags")
    expect(tags).to_contain_text("质量投诉")
    expect(page.locator("#customer-card")).to_contain_text("质量太差了")  # their review, beside the chat
    page.fill("#customer-tags form.add-tag input[name=tag]", "已回复差评")
    page.click("#customer-tags form.add-tag button[type=submit]")
    expect(tags).to_contain_text("已回复差评", timeout=5000)
    recorded.screenshot("customer-panel")

    page.click("nav.topnav >> text=客户管理")
    expect(page.locator(f'tr[data-customer-id="{CUSTOMER}"]')).to_contain_text("已回复差评")
    page.click("#rfm-card form[data-api$='/rfm/recompute'] button[type=submit]")  # not wait for crm's timer
    expect(page.locator("body")).to_contain_text("RFM 已重新计算")
    page.reload()
    expect(page.locator("#chart-segments svg")).to_be_visible()

    # the same pages in English
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Customers")
    recorded.screenshot("customers-en")
    page.click("nav.topnav >> text=Reviews")
    expect(page.locator(f'.review-card[data-review-id="{review["id"]}"] .badge.rating-negative')).to_have_text(
        "Negative"
    )
    page.select_option("#language-select", "zh_CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
