"""The web pages, served by the gateway in front of the real orders and tickets services: signing in and out with
the browser cookie (HttpOnly, SameSite), CSRF on every form, the first-login password change, the language
remembered per person, a 404 for anything outside one's shop, buyers' text escaped, the security headers."""

from __future__ import annotations

import re

from tests.integration.gateway.world import build_world
from tests.integration.tickets.conftest import age_conversation

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MESSAGE_ID = re.compile(r'data-message-id="(\d+)"')


def token_of(page_text: str) -> str:
    return FORM_TOKEN.search(page_text).group(1)


def browser(stack, username: str, password: str):
    """A test client signed in through the sign-in form, as a browser is."""
    client = stack.app("gateway").test_client()
    form = client.get("/login")
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": token_of(form.get_data(as_text=True))})  # fmt: skip
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client, answer


def test_signing_in_and_out_with_the_browser_cookie(served):
    world = build_world(served)
    client = served.app("gateway").test_client()
    form = client.get("/login")
    assert form.status_code == 200 and "script-src 'self'" in form.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in form.headers["Content-Security-Policy"]
    refused = client.post("/login", data={"username": "student1", "password": "student-demo"})
    assert refused.status_code == 403  # no CSRF token: the form did not come from ShopLab
    token = token_of(form.get_data(as_text=True))
    wrong = client.post("/login", data={"username": "student1", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "账号或密码错误" in wrong.get_data(as_text=True)

    signed = client.post("/login", data={"username": "student1", "password": "student-demo", "csrf_token": token})
    assert signed.status_code == 302
    cookie = next(h for h in signed.headers.getlist("Set-Cookie") if h.startswith("shoplab_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == f"/desk/{world.shops['A']}"
    desk = client.get(home.headers["Location"])
    assert desk.status_code == 200 and "接待中心" in desk.get_data(as_text=True)
    page_token = token_of(desk.get_data(as_text=True))

    assert client.post("/logout").status_code == 403  # no CSRF token
    out = client.post("/logout", data={"csrf_token": page_token})
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    again = client.get(f"/desk/{world.shops['A']}")
    assert again.status_code == 302 and again.headers["Location"].startswith("/login")
    fragment = client.get(f"/desk/{world.shops['A']}/queue", headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"] == "/login"


def test_first_sign_in_asks_for_a_password_of_ones_own(served):
    world = build_world(served)
    student = world.call("POST", f"/api/v1/classes/{world.class2}/students", world.headers["teacher2"],
                         json={"student_no": "s-c2", "name": "林一"})  # fmt: skip
    client, signed = browser(served, "s-c2", student["initial_password"])
    assert signed.headers["Location"] == "/password"
    assert client.get("/").headers["Location"] == "/password"
    page = client.get("/password")
    assert "这是你第一次登录" in page.get_data(as_text=True)
    token = token_of(page.get_data(as_text=True))
    differ = client.post(
        "/password",
        data={
            "current_password": student["initial_password"],
            "csrf_token": token,
            "new_password": "own-secret-1",
            "repeat_password": "own-secret-2",
        },
    )
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.get_data(as_text=True)
    short = client.post(
        "/password",
        data={
            "current_password": student["initial_password"],
            "csrf_token": token,
            "new_password": "short",
            "repeat_password": "short",
        },
    )
    assert short.status_code == 422 and "至少 8 位" in short.get_data(as_text=True)
    changed = client.post(
        "/password",
        data={
            "current_password": student["initial_password"],
            "csrf_token": token,
            "new_password": "own-secret-1",
            "repeat_password": "own-secret-1",
        },
    )
    assert changed.status_code == 302  # fmt: skip
    home = client.get("/")  # signed in with a password of their own; no seat in a shop yet
    assert home.status_code == 200 and "你还没有加入任何店铺" in home.get_data(as_text=True)
    world.login("s-c2", "own-secret-1")


def test_the_language_is_remembered_for_the_person(served):
    world = build_world(served)
    client, _ = browser(served, "student1", "student-demo")
    desk = client.get(f"/desk/{world.shops['A']}")
    assert '<html lang="zh-CN">' in desk.get_data(as_text=True)
    switched = client.post("/language", data={"language": "en", "csrf_token": token_of(desk.get_data(as_text=True)),
                                              "next": f"/desk/{world.shops['A']}"})  # fmt: skip
    assert switched.status_code == 302 and "shoplab_lang=en" in switched.headers["Set-Cookie"]
    assert world.call("GET", "/api/v1/auth/me", world.headers["student1"])["locale"] == "en"
    english = client.get(f"/desk/{world.shops['A']}").get_data(as_text=True)
    assert '<html lang="en">' in english and "Service desk" in english

    elsewhere, signed = browser(served, "student1", "student-demo")  # a browser without the cookie
    assert "shoplab_lang=en" in " ".join(signed.headers.getlist("Set-Cookie"))
    assert "Service desk" in elsewhere.get(f"/desk/{world.shops['A']}").get_data(as_text=True)
    anonymous = served.app("gateway").test_client()
    assert anonymous.post("/language", data={"language": "en"}).status_code == 403  # no CSRF token
    refused = world.call("POST", "/api/v1/auth/locale", world.headers["student1"], expect=422, json={"locale": "fr"})
    assert "locale" in refused["fields"]
    world.call("POST", "/api/v1/auth/locale", world.headers["student1"], json={"locale": "zh_CN"})


def test_pages_outside_ones_shop_are_not_found(served):
    world = build_world(served)
    client, _ = browser(served, "student2", "student-demo")
    a, b = world.shops["A"], world.shops["B"]
    ticket, order = world.ids["ticket_c-a1"], world.ids["order_c-a1"]
    for path in (
        f"/desk/{a}",
        f"/desk/{a}?ticket={ticket}",
        f"/desk/{a}/queue",
        f"/desk/{a}/tickets/{ticket}",
        f"/desk/{a}/orders/{order}",
        f"/desk/{a}/work",
        f"/desk/{a}/metrics",
        f"/desk/{b}?ticket={ticket}",
        f"/desk/{b}/tickets/{ticket}",
        f"/desk/{b}/orders/{order}",
    ):
        answer = client.get(path)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 404, path
        assert "找不到页面" in text and "王小明" not in text and order not in text.replace(path, ""), path
    assert client.get("/classes").status_code == 404  # the instructors' page


def test_buyers_words_are_shown_as_text(served):
    world = build_world(served)
    ticket = world.ids["ticket_c-a1"]
    base = f"/api/v1/buyer/shops/{world.shops['A']}/tickets/{ticket}/messages"
    world.call("POST", base, world.buyer("A", "c-a1"), json={"body": "<script>alert(1)</script><img src=x>"})
    client, _ = browser(served, "student1", "student-demo")
    page = client.get(f"/desk/{world.shops['A']}?ticket={ticket}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;" in page
    assert "<script>alert(1)" not in page and "<img src=x>" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script of ours is a file


def test_the_instructor_observes_read_only(served):
    world = build_world(served)
    client, signed = browser(served, "teacher", "teacher-demo")
    assert client.get("/").headers["Location"] == "/classes"
    classes = client.get("/classes").get_data(as_text=True)
    assert f"/desk/{world.shops['A']}" in classes and f"/desk/{world.shops['C']}" not in classes
    desk = client.get(f"/desk/{world.shops['A']}?ticket={world.ids['ticket_c-a1']}").get_data(as_text=True)
    assert "旁观模式" in desk and 'id="reply-body"' not in desk and 'id="online-toggle"' not in desk
    assert 'id="claim"' not in desk and "approve-refund" not in desk


def test_the_live_part_for_a_message_sends_only_the_newer_messages(served):
    world = build_world(served)
    shop, ticket = world.shops["A"], world.ids["ticket_c-a1"]
    client, _ = browser(served, "student1", "student-demo")
    age_conversation(served, ticket)  # the world's messages, a minute ago
    base = f"/api/v1/buyer/shops/{shop}/tickets/{ticket}/messages"
    world.call("POST", base, world.buyer("A", "c-a1"), json={"body": "在吗？"})
    whole = client.get(f"/desk/{shop}/tickets/{ticket}?live=1").get_data(as_text=True)
    shown = max(int(found) for found in MESSAGE_ID.findall(whole))
    world.call("POST", base, world.buyer("A", "c-a1"), json={"body": "第二个问题：能开发票吗？"})

    live = client.get(f"/desk/{shop}/tickets/{ticket}?live=1&cause=message&after={shown}")
    text = live.get_data(as_text=True)
    assert live.status_code == 200 and live.headers.get("HX-Reswap") == "none"
    assert 'hx-swap-oob="beforeend:#timeline"' in text and 'id="conv-head" hx-swap-oob="true"' in text
    assert "第二个问题：能开发票吗？" in text and 'id="panel"' in text
    # the new message, and the last one shown again (those of the 10 s before it: a late commit), not the rest
    assert [int(found) >= shown for found in MESSAGE_ID.findall(text)] == [True, True]
    again = client.get(f"/desk/{shop}/tickets/{ticket}?live=1&after={shown}")  # not for a message: all of it
    assert "HX-Reswap" not in again.headers and len(MESSAGE_ID.findall(again.get_data(as_text=True))) > 1
