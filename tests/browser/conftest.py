"""Browser tests: Playwright (the Python package) driving Debian's Chromium against live_server.

One browser for all of them (a package-scoped fixture), a fresh context (cookies, cache) per
test. Where /usr/bin/chromium is missing the tests are skipped, unless POS_REQUIRE_BROWSER=1
(CI), where they fail. Never a downloaded browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("POS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests, closed when the last of them has run.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started, and
    Django refuses ORM calls from a thread with a running loop unless told it is deliberate
    (DJANGO_ALLOW_ASYNC_UNSAFE). Both last only as long as this package's tests: later tests,
    and the subprocesses they start (`check --deploy` warns about that variable), never see them.
    """
    if not CHROMIUM.exists():
        message = f"Debian's Chromium is not installed at {CHROMIUM} (make browser-deps)"
        if os.environ.get("POS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """new_page(width, height) → a page in a fresh context; JavaScript errors and Content
    Security Policy violations fail the test."""
    contexts = []
    errors: list[str] = []

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: _csp_violation(message, errors))
        return page

    yield make
    for context in contexts:
        context.close()
    _wait_for_requests_in_flight(live_server)
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


def _wait_for_requests_in_flight(live_server) -> None:
    """Let the server finish what the closed pages left running (a service worker's background
    fetches): the test database is flushed next, and SQLite refuses to flush a table that a
    request thread is still reading ("database table is locked")."""
    threads = getattr(getattr(live_server.thread, "httpd", None), "_threads", None) or []
    for thread in list(threads):
        thread.join(timeout=10)


def _csp_violation(message, errors: list[str]) -> None:
    """Chromium logs every Content Security Policy violation to the console: each one fails."""
    if "Content Security Policy" in message.text:
        errors.append(f"{message.location.get('url')}: {message.text[:160]}")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
