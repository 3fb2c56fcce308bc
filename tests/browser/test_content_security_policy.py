"""The Content Security Policy holds in a real browser: each role's main screens load with no
violation (the `new_page` fixture fails a test on any violation Chromium reports)."""

from __future__ import annotations

import pytest

from receipts.models import ReceiptTemplate
from tests import factories
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def visit(page, path: str) -> None:
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, (path, response.status)
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, policy


def script_src(page) -> str:
    response = page.request.get(page.url)
    policy = response.headers["content-security-policy"]
    return next(p for p in policy.split(";") if p.strip().startswith("script-src"))


def test_back_office_screens_load_under_the_policy(new_page):
    product = factories.product("Espresso beans")
    template = ReceiptTemplate.objects.first() or ReceiptTemplate.objects.create(name="Default")
    make_user("mia", "Merchandisers", email="mia@example.com")  # an avatar Wagtail could fetch
    make_user("max", "Managers", email="max@example.com")

    page = new_page()
    sign_in(page, "mia")
    for path in [
        "/admin/",
        "/admin/catalog/products/",
        f"/admin/catalog/products/edit/{product.pk}/",
        "/admin/catalog/products/add/",
        f"/admin/receipts/templates/edit/{template.pk}/",
    ]:
        visit(page, path)

    page = new_page()
    sign_in(page, "max")
    for path in ["/admin/", "/admin/inventory/receive/", "/admin/pos/sale/", "/api/docs/"]:
        visit(page, path)
    # Our own admin screens keep the strict script-src: every script of theirs is a file.
    for path in [
        "/admin/reports/sales-overview/?preset=last_30_days",
        "/admin/reports/sales-by-payment-method/",
        "/admin/reports/inventory/",
        "/admin/inventory/",
        "/admin/inventory/adjust/",
        "/admin/inventory/count/",
        "/admin/receipts/find/",
        "/admin/catalog/products/import/",
    ]:
        visit(page, path)
        assert "'unsafe-inline'" not in script_src(page), path


def test_login_and_register_load_under_the_strict_policy(new_page):
    make_user("casey", "Cashiers")
    page = new_page()
    visit(page, "/login/")
    sign_in(page, "casey")
    page.wait_for_selector("html[data-ready]")
    policy = page.evaluate("document.location.pathname")
    assert policy == "/register/"


def test_a_violation_is_reported_where_the_fixture_listens(browser, live_server):
    """The guard itself: an injected inline script is blocked and Chromium says so."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    ran = page.evaluate("() => window.ran === true")
    context.close()
    assert not ran
    assert any("Content Security Policy" in text for text in messages), messages
