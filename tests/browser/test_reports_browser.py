"""A manager reads the reports in a real browser: charts drawn by the vendored Chart.js under
the admin's Content Security Policy, no script error, readable on a tablet."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def shop():
    cashier = make_user("casey", "Cashiers")
    make_user("max", "Managers")
    factories.open_shift(cashier)
    beans = factories.product("Espresso beans", "12.50", cost="7.00")
    factories.sale(cashier, (beans, 2))
    factories.sale(cashier, (beans, 1), payments=[("card", "13.53")])


def drawn_charts(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => window.Chart && window.Chart.getChart(c)).length"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reports/sales-overview/?preset=today",
        "/admin/reports/top-products/?preset=today",
        "/admin/reports/sales-by-payment-method/?preset=today",
    ],
)
def test_manager_reads_a_report_with_its_chart(new_page, shop, path):
    page = new_page()
    sign_in(page, "max")
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert drawn_charts(page) == 1
    assert page.locator(".an-table").first.is_visible()


def test_tablet_width_keeps_the_page_inside_the_screen(new_page, shop):
    page = new_page(820, 1180)
    sign_in(page, "max")
    page.goto("/admin/reports/sales-overview/?preset=today")
    page.wait_for_load_state("networkidle")
    assert drawn_charts(page) == 1
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert "$40.59" in page.locator(".an-metrics").inner_text()  # 27.06 + 13.53, tax included
