"""A real browser for the UI tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``).

Playwright cannot download its own browser here (no internet), so it is pointed at the system's Chromium
(``SHOPLAB_CHROMIUM`` overrides the path). ``make test`` installs Chromium and a CJK font when they are missing
(as root); without them the browser tests are skipped with a note — except in CI (``CI=true``), where a missing
browser fails the run instead of passing it silently.

Every page a test opens records the requests the browser makes; a request to anything but the ShopLab under
test fails the test (the classroom works offline).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Flags a headless Chromium needs as root in a container, and to stay off the network by itself.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--metrics-recording-only", "--mute-audio", "--font-render-hinting=none",
]  # fmt: skip


def chromium_path() -> str | None:
    explicit = os.environ.get("SHOPLAB_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; CI must run the browser tests (make test installs it as root)")
        pytest.skip("Chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class LiveServer:
    """A Flask app served on a real socket in a thread, for the browser to reach."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


class RecordedPage:
    """A browser page that remembers every URL it requested."""

    def __init__(self, page, allowed_host: str = "127.0.0.1") -> None:
        self.page = page
        self.requested: list[str] = []
        self.allowed_host = allowed_host
        page.on("request", lambda request: self.requested.append(request.url))

    def outside_requests(self) -> list[str]:
        return [
            url for url in self.requested
            if urlparse(url).scheme not in {"data", "blob", "about"} and urlparse(url).hostname != self.allowed_host
        ]  # fmt: skip

    def screenshot(self, name: str) -> Path:
        """A screenshot for docs/ (the README shows them): taken by the tests, so they show what really runs."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def new_page(browser) -> Iterator:
    """``new_page(locale="zh-CN")`` → a :class:`RecordedPage` in a fresh browser context (its own cookies); at the
    end of the test, no page may have requested anything outside ShopLab."""
    opened: list[tuple[object, RecordedPage]] = []

    def make(locale: str = "zh-CN", viewport: tuple[int, int] = (1440, 900)) -> RecordedPage:
        context = browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})
        recorded = RecordedPage(context.new_page())
        opened.append((context, recorded))
        return recorded

    yield make
    outside = [url for _, recorded in opened for url in recorded.outside_requests()]
    for context, _ in opened:
        context.close()
    assert outside == [], f"pages requested outside addresses: {outside}"


@pytest.fixture(scope="package")
def classroom(redis_server, tmp_path_factory):
    """One ShopLab for the browser tests of this package: the gateway, orders, tickets, reviews and crm served on their
    ports, with their real workers and beat (torn down with the package, so no worker outlives these tests)."""
    import redis

    from tests.browser.classroom import Classroom
    from tests.integration.gateway.conftest import ServedApps
    from tests.stack import Stack

    redis.Redis.from_url(redis_server).flushall()
    stack = Stack(tmp_path_factory.mktemp("browser-stack"), redis_server)
    served = ServedApps(stack)
    try:
        for name in ("orders", "tickets", "reviews", "crm", "gateway"):
            served.serve(name)
        stack.start_workers(["gateway", "orders", "tickets", "reviews", "crm"])
        stack.beat()
        yield Classroom(stack)
    finally:
        served.close()
        stack.close()
