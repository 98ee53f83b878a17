"""Who sees what in the browser: another student's conversation or order by URL is a 404; the language a person
chose follows them to another browser; the instructor observes a shop read-only; first sign-in asks for a new
password; of two students, a stale claim never succeeds; a dropped live connection catches up."""

from __future__ import annotations

from playwright.sync_api import expect

from shoplab.topology import SERVICES
from tests.browser.tcp_proxy import TcpProxy
from tests.browser.test_student_journey import LIVE_SECONDS, sign_in


def test_another_students_conversation_or_order_is_not_found(classroom, new_page):
    shop = classroom.shop_of("student1")
    classroom.known_to_services(shop["id"])
    buyers = classroom.buyers(shop["id"])
    order = buyers.order("li")
    ticket = buyers.ask("li", "这个颜色还有吗？Is this in stock?", order_id=order["id"])

    page = new_page().page
    sign_in(page, classroom.url, "student2")
    expect(page.locator(".queue")).to_be_visible()
    own_shop = page.url.rstrip("/").split("/desk/")[1].split("?")[0]
    for path in (
        f"/desk/{shop['id']}?ticket={ticket['id']}",
        f"/desk/{shop['id']}/orders/{order['id']}",
        f"/desk/{own_shop}?ticket={ticket['id']}",  # the ticket's id in one's own shop says nothing either
        f"/desk/{own_shop}/orders/{order['id']}",
    ):
        response = page.goto(classroom.url + path)
        assert response.status == 404, path
        expect(page.locator(".error-box h2")).to_have_text("找不到页面")
        assert "Is this in stock" not in page.content() and order["order_no"] not in page.content()


def test_the_language_a_student_chose_follows_them(classroom, new_page):
    page = new_page(locale="zh-CN").page
    sign_in(page, classroom.url, "student4")
    expect(page.locator(".topnav")).to_contain_text("接待中心")
    page.select_option("#language-select", "en")
    expect(page.locator(".topnav")).to_contain_text("Service desk")
    expect(page.locator("#online-toggle")).to_contain_text("Offline")
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()

    elsewhere = new_page(locale="zh-CN").page  # another browser: no cookie of the first one
    sign_in(elsewhere, classroom.url, "student4")
    expect(elsewhere.locator(".topnav")).to_contain_text("Service desk")
    assert elsewhere.locator("html").get_attribute("lang") == "en"
    elsewhere.select_option("#language-select", "zh_CN")
    expect(elsewhere.locator(".topnav")).to_contain_text("接待中心")


def test_the_instructor_observes_a_shop(classroom, new_page):
    shop = classroom.shop_of("student1")
    recorded = new_page()
    page = recorded.page
    sign_in(page, classroom.url, "teacher", "teacher-demo")
    expect(page.locator("h1")).to_have_text("我的班级和店铺")
    recorded.screenshot("instructor-classes")
    page.locator("tr", has_text=shop["name"]).locator("a").click()
    expect(page.locator(".observer-badge")).to_be_visible()
    expect(page.locator("#tab-all")).to_have_attribute("aria-selected", "true")
    first = page.locator(".queue-row .row-link").first
    if first.count():
        first.click()
        expect(page.locator("#timeline")).to_be_visible()
    assert page.locator("#reply-body").count() == 0 and page.locator("#online-toggle").count() == 0


def test_first_sign_in_and_a_stale_claim_in_a_team_shop(classroom, new_page):
    teacher = classroom.teacher
    room = teacher.call("POST", "/api/v1/classes", json={"name": "浏览器测试班"})
    passwords = {}
    for number, name in (("t-101", "周杰"), ("t-102", "吴磊")):
        student = teacher.call("POST", f"/api/v1/classes/{room['id']}/students",
                               json={"student_no": number, "name": name, "team": "红队"})  # fmt: skip
        passwords[number] = student["initial_password"]
    shop = teacher.call("POST", f"/api/v1/classes/{room['id']}/shops", json={"platform": "taobao", "mode": "team"})[0]
    classroom.known_to_services(shop["id"])

    pages = {}
    for number in passwords:
        recorded = new_page()
        page = recorded.page
        if number == "t-102":  # this student's page hears nothing live: it goes stale
            page.route("**/stream*", lambda route: route.abort())
        sign_in(page, classroom.url, number, passwords[number])
        expect(page.locator("#new-password")).to_be_visible()
        if number == "t-101":
            recorded.screenshot("first-sign-in")
        page.fill("#current-password", passwords[number])
        page.fill("#new-password", f"{number}-own-secret")
        page.fill("#repeat-password", f"{number}-own-secret")
        page.click("#save-password")
        expect(page.locator(".queue")).to_be_visible()
        page.click("#online-toggle")
        expect(page.locator("#online-toggle")).to_have_attribute("data-online", "true")
        pages[number] = page
    # both serve after-sale only (the instructor's setting): a pre-sale question waits unassigned for a claim
    for member in teacher.call("GET", f"/api/v1/shops/{shop['id']}/members"):
        teacher.call("PATCH", f"/api/v1/shops/{shop['id']}/agents/{member['user_id']}", json={"skills": ["after_sale"]})
    ticket = classroom.buyers(shop["id"]).ask("wang", "请问还有货吗？")
    stale = pages["t-102"]
    stale.reload()
    stale.click("#tab-unassigned")
    stale.locator(f'.queue-row[data-ticket-id="{ticket["id"]}"] .row-link').click()
    expect(stale.locator("#claim")).to_be_visible()

    fresh = pages["t-101"]
    fresh.click("#tab-unassigned")
    row = fresh.locator(f'.queue-row[data-ticket-id="{ticket["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_SECONDS * 1000)
    row.locator(".row-link").click()
    fresh.click("#claim")
    expect(fresh.locator("#conv-holder")).to_have_text("由你接待")

    stale.click("#claim")  # the page still offers it; the API refuses, and the page says why and refreshes
    expect(stale.locator(".toast.bad")).to_contain_text("该会话已由其他客服接待")
    expect(stale.locator("#conv-holder")).to_contain_text("周杰")


def test_a_dropped_connection_reconnects_and_catches_up(classroom, new_page):
    shop = classroom.shop_of("student3")
    classroom.known_to_services(shop["id"])
    buyers = classroom.buyers(shop["id"])
    network = TcpProxy(SERVICES["gateway"].host, SERVICES["gateway"].port)  # the classroom's network, cut at will
    try:
        page = new_page().page
        sign_in(page, network.url, "student3")
        page.click("#tab-all")
        expect(page.locator("#tab-all")).to_have_attribute("aria-selected", "true")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "on")

        network.cut()
        expect(page.locator("#live-state")).to_have_attribute("data-state", "lost")
        ticket = buyers.ask("emma", "Hello, where is my parcel?")  # while the student's browser is cut off
        network.restore()
        expect(page.locator("#live-state")).to_have_attribute("data-state", "on", timeout=10_000)
        expect(page.locator(f'.queue-row[data-ticket-id="{ticket["id"]}"]')).to_be_visible(timeout=5_000)
    finally:
        network.close()
