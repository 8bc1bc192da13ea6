"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live_server.

No browser is downloaded: the tests use /usr/bin/chromium. Without it they skip locally and
fail in CI (the CI environment variable set), so CI never silently drops them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM}: the browser tests need it (apt install chromium)."
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session.

    Playwright's sync API keeps an event loop running in the main thread, which makes Django
    refuse ORM calls from it; DJANGO_ALLOW_ASYNC_UNSAFE lifts that while the browser lives.
    """
    _require_chromium()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class AssetLog:
    """What the page asked the live server for and did not get."""

    def __init__(self, origin: str):
        self.origin = origin
        self.failures: list[str] = []
        self.static_loaded: list[str] = []

    def on_response(self, response) -> None:
        if not response.url.startswith(self.origin):
            return
        path = urlsplit(response.url).path
        if response.status >= 400:
            self.failures.append(f"{response.status} {path}")
        elif path.startswith("/static/"):
            self.static_loaded.append(path)

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED: the browser cancelled it (navigated away while a favicon loaded).
        if request.url.startswith(self.origin) and "ERR_ABORTED" not in (request.failure or ""):
            self.failures.append(f"failed {urlsplit(request.url).path}: {request.failure}")

    def assert_all_loaded(self) -> None:
        assert self.failures == [], "Requests to the live server failed:\n" + "\n".join(
            self.failures
        )


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context and page on the live server, kept off the internet.

    `page.assets` records failed requests to the live server (asserted empty at the end).
    """
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    origin = live_server.url

    # Hermetic: anything not served by the live server (the NHS web fonts) is refused.
    def route(route_):
        if route_.request.url.startswith(origin):
            route_.continue_()
        else:
            route_.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.assets = AssetLog(origin)
    page.on("response", page.assets.on_response)
    page.on("requestfailed", page.assets.on_request_failed)
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    try:
        yield page
        page.assets.assert_all_loaded()
        assert page.js_errors == [], f"JavaScript errors: {page.js_errors}"
    finally:
        context.close()
