"""Acceptance tests use the browser tests' fixtures: Debian's Chromium against live_server,
failing on any JavaScript error or Content Security Policy violation."""

from tests.browser.conftest import artifacts, browser, new_page, page  # noqa: F401
