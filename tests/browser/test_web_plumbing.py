"""The page plumbing in a real browser: Chinese by default and rendered with a CJK font, English on request, every
asset from ShopLab, a Content-Security-Policy that allows no inline script."""

from __future__ import annotations

import pytest
from flask import Flask, make_response, redirect, render_template_string, request

from gateway.web import install_web
from gateway.web.language import COOKIE
from tests.browser.conftest import LiveServer

PAGE = """{% extends "base.html" %}{% block main %}<p id="money">{{ 123450 | money("CNY") }}</p>
<p id="when">{{ "2026-11-11T02:05:00+00:00" | wall_time }}</p>{% endblock %}"""


@pytest.fixture
def site():
    app = Flask("plumbing")
    app.config["SECRET_KEY"] = "x"
    install_web(app, pages=False)

    @app.get("/")
    def page():
        return render_template_string(PAGE)

    @app.post("/language")
    def language():
        response = make_response(redirect("/"))
        response.set_cookie(COOKIE, request.form["language"], samesite="Lax", httponly=True)
        return response

    server = LiveServer(app)
    yield server
    server.stop()


def test_a_page_speaks_chinese_first_and_english_on_request(site, new_page):
    recorded = new_page(locale="en-US")  # the browser's own language does not switch a classroom's screens
    page = recorded.page
    response = page.goto(site.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator(".brand-sub").inner_text() == "电商客服实训店铺"
    assert page.locator("#money").inner_text() == "¥1,234.50"
    assert page.locator("#when").inner_text() == "2026/11/11 10:05"  # shown in the classroom's time zone
    # the CJK font is installed: the brand's Chinese is drawn wider than the box of a missing glyph
    width = page.evaluate("() => document.querySelector('.brand-sub').getBoundingClientRect().width")
    assert width > 60
    recorded.screenshot("plumbing-zh")
    # The address is "/" before and after the switch: wait for the page the switch loads, not for the address.
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator(".brand-sub").inner_text() == "Customer-service practice shop"
    assert page.locator("#money").inner_text() == "CN¥1,234.50"


def test_inline_script_does_not_run(site, new_page):
    page = new_page().page
    page.goto(site.url + "/")
    ran = page.evaluate(
        """() => new Promise((resolve) => {
            const s = document.createElement('script'); s.textContent = 'window.__inline = 1';
            document.body.appendChild(s); setTimeout(() => resolve(window.__inline === 1), 50);
        })"""
    )
    assert ran is False
