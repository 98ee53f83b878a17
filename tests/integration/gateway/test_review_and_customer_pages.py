"""The Reviews, Customers and Care pages and the customer beside the chat, served by the gateway in front of the real
services: in Chinese by default and in English, with what a student may do (reply with the rule check, tag, export)
and an instructor's read-only view with the import; another shop's review or customer is a 404 page; a service
that is down is said to be down."""

from __future__ import annotations

import html
import json
import re

from tests.integration.gateway.test_pages import browser, token_of
from tests.integration.gateway.world import build_world


def chart_of(text: str, element_id: str) -> dict:
    found = re.search(rf'id="{element_id}"[^>]*data-bar-chart="([^"]+)"', text)
    assert found, element_id
    return json.loads(html.unescape(found.group(1)))


def test_reviews_pages_in_both_languages(served):
    world = build_world(served)
    shop, review_id = world.shops["A"], world.ids["review_c-a1"]
    client, _ = browser(served, "student1", "student-demo")

    page = client.get(f"/desk/{shop}/reviews?rating=negative")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="zh-CN">' in text and "评价管理" in text
    assert f'data-review-id="{review_id}"' in text and world.ids["review_c-b1"] not in text
    assert "差评" in text and "尺码偏小，客服态度也一般" in text
    assert f'data-api="/api/v1/shops/{shop}/reviews/{review_id}/reply"' in text  # the reply form, rule-checked
    assert f'data-check="/api/v1/shops/{shop}/reply-check"' in text
    stars = chart_of(text, "chart-stars")
    assert stars["values"] == [0, 1, 0, 0, 0] and stars["title"] == "各星级评价数"  # c-a1's 2 stars

    world.call("POST", f"/api/v1/shops/{shop}/reviews/{review_id}/reply", world.headers["student1"],
               json={"text": "抱歉给您添麻烦了，已安排换货。"})  # fmt: skip
    detail = client.get(f"/desk/{shop}/reviews/{review_id}").get_data(as_text=True)
    assert "抱歉给您添麻烦了，已安排换货。" in detail and "联系买家（中差评回访）" in detail
    assert f"/reviews/{review_id}/removal-requests" in detail and f"/reviews/{review_id}/contacts" in detail
    fragment = client.get(f"/desk/{shop}/reviews?fragment=1", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and review_id in fragment.get_data(as_text=True)

    switched = client.post("/language", data={"language": "en", "csrf_token": token_of(detail)})
    assert switched.status_code == 302
    english = client.get(f"/desk/{shop}/reviews").get_data(as_text=True)
    assert '<html lang="en">' in english and "Negative" in english and "Reviews by stars" in english
    assert client.get(f"/desk/{shop}/reviews/{world.ids['review_c-b1']}").status_code == 404
    client.post("/language", data={"language": "zh_CN", "csrf_token": token_of(english)})

    other, _ = browser(served, "student2", "student-demo")
    assert other.get(f"/desk/{shop}/reviews").status_code == 404
    assert other.get(f"/desk/{shop}/reviews/{review_id}").status_code == 404


def test_customer_pages_and_the_side_panel(served):
    world = build_world(served)
    shop = world.shops["A"]
    world.call("POST", f"/api/v1/shops/{shop}/customers/c-a1/tags", world.headers["student1"], json={"tag": "老客户"})
    world.call("POST", f"/api/v1/shops/{shop}/rfm/recompute", world.headers["teacher"], json={})
    client, _ = browser(served, "student1", "student-demo")

    listed = client.get(f"/desk/{shop}/customers?tag=老客户").get_data(as_text=True)
    assert 'data-customer-id="c-a1"' in listed and 'data-customer-id="c-a2"' not in listed
    assert f"/api/v1/shops/{shop}/exports/customers.csv?tag=" in listed  # the export keeps the filter
    segments = chart_of(listed, "chart-segments")
    assert sum(segments["values"]) >= 1 and segments["title"] == "各 RFM 分群客户数"  # c-a1 paid
    assert "/imports" not in listed  # importing is the instructor's

    profile = client.get(f"/desk/{shop}/customers/c-a1").get_data(as_text=True)
    assert "老客户" in profile and "/customers/c-a1/tags/remove" in profile and "时间线" in profile
    assert "尺码偏小" in profile  # their review
    assert client.get(f"/desk/{shop}/customers/c-b1").status_code == 404
    assert client.get(f"/desk/{shop}/care").status_code == 200

    desk = client.get(f"/desk/{shop}?ticket={world.ids['ticket_c-a1']}").get_data(as_text=True)
    card = desk[desk.index('id="customer-card"') : desk.index('id="order-card"')]
    assert 'data-customer-id="c-a1"' in desk and "老客户" in card and "TA 的评价" in card
    assert f"/api/v1/shops/{shop}/customers/c-a1/tags" in card  # tag from the panel
    assert f'href="/desk/{shop}/reviews"' in desk and "客户关怀" in desk  # the navigation

    served.served.stop("crm")
    down = client.get(f"/desk/{shop}/tickets/{world.ids['ticket_c-a1']}", headers={"HX-Request": "true"})
    assert down.status_code == 200 and 'id="customer-unavailable"' in down.get_data(as_text=True)
    assert client.get(f"/desk/{shop}/customers").status_code == 200  # says the list could not be read
    assert "客户列表暂时无法读取" in client.get(f"/desk/{shop}/customers").get_data(as_text=True)


def test_the_instructor_sees_the_pages_read_only_with_the_import(served):
    world = build_world(served)
    shop = world.shops["A"]
    client, _ = browser(served, "teacher", "teacher-demo")
    reviews = client.get(f"/desk/{shop}/reviews").get_data(as_text=True)
    assert world.ids["review_c-a1"] in reviews and "/reply" not in reviews
    customers = client.get(f"/desk/{shop}/customers").get_data(as_text=True)
    assert f'data-api="/api/v1/shops/{shop}/imports" data-upload' in customers
    profile = client.get(f"/desk/{shop}/customers/c-a1").get_data(as_text=True)
    assert "/tags/remove" not in profile and "/blacklist" not in profile

    # a shop nobody has bought from yet: the segment chart would be empty axes, so it says why in words
    newcomer, _ = browser(served, "teacher2", "teacher2-pass")
    empty = newcomer.get(f"/desk/{world.shops['C']}/customers").get_data(as_text=True)
    assert 'id="chart-segments"' not in empty and 'id="chart-segments-empty"' in empty
    assert "还没有客户完成 RFM 评分" in empty


def test_a_review_follow_ups_system_line_speaks_the_pages_language(served):
    """The tickets service writes the line once, in English with its code and params; a Chinese student reads it in
    Chinese (the conversation and the queue row), an English page in English."""
    world = build_world(served)
    shop, task, review_id = world.shops["A"], world.ids["follow_up_c-a1"], world.ids["review_c-a1"]
    client, _ = browser(served, "student1", "student-demo")

    chinese = client.get(f"/desk/{shop}?ticket={task}").get_data(as_text=True)
    system = chinese[chinese.index('data-kind="system"') :]
    assert "2★，买家 王小明，订单 " in system and "“尺码偏小，客服态度也一般”" in system
    assert "评分：描述相符 2，服务态度 2，物流服务 3" in system and f"评价编号 {review_id}" in system
    assert "by 王小明 on order" not in chinese and "as described" not in chinese
    queue = client.get(f"/desk/{shop}/queue?tab=all").get_data(as_text=True)
    assert "2★，买家 王小明，订单 " in queue and "by 王小明 on order" not in queue

    client.post("/language", data={"language": "en", "csrf_token": token_of(chinese)})
    english = client.get(f"/desk/{shop}?ticket={task}").get_data(as_text=True)
    system = english[english.index('data-kind="system"') :]
    assert "review 2★ by 王小明 on order " in system and "“尺码偏小，客服态度也一般”" in system
    assert "Scores: as described 2, service 2, logistics 3" in system and f"Review {review_id}" in system
    assert "买家 王小明" not in system
    client.post("/language", data={"language": "zh_CN", "csrf_token": token_of(english)})
