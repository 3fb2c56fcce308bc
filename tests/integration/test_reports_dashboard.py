"""The dashboard's Sales today panel: today so far against the same weekday a week earlier up to
the same time of day, and the low-stock count (the Inventory report's definition)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.dashboard import today_panel_figures
from analytics.filters import ReportFilter
from analytics.reports import inventory_report
from pos.models import LowStockAlert
from tests import factories
from tests.reports_data import at, move

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 17)
WEEK_BEFORE = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def noon(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(TUESDAY, 12, 0))


def test_today_against_the_same_weekday_last_week_by_the_same_time(cashier, noon):
    beans = factories.product("Beans", "10.00", stock=50)  # 10.83 paid a unit, tax 8.25 %
    mug = factories.product("Mug", "4.00", stock=50)  # 4.33
    factories.open_shift(cashier)
    move(factories.sale(cashier, (beans, 1)), at(TUESDAY, 9))
    move(factories.sale(cashier, (mug, 1)), at(TUESDAY, 11, 30))
    move(factories.sale(cashier, (beans, 1)), at(WEEK_BEFORE, 9))
    move(factories.sale(cashier, (beans, 2)), at(WEEK_BEFORE, 15))  # after noon: not compared
    move(factories.sale(cashier, (beans, 5)), at(date(2026, 3, 16), 10))  # yesterday: neither

    figures = today_panel_figures()

    assert (figures["net"], figures["sales"]) == ("$15.16", 2)
    assert (figures["before_net"], figures["before_sales"]) == ("$10.83", 1)
    assert figures["weekday"] == "Tuesday"
    # (15.16 − 10.83) / 10.83 = +39.98 %
    assert (figures["change"], figures["trend"]) == (Decimal("40.0"), "up")


def test_a_quiet_morning_is_down_and_nothing_last_week_compares_with_nothing(cashier, noon):
    beans = factories.product("Beans", "10.00", stock=50)
    factories.open_shift(cashier)
    figures = today_panel_figures()
    assert (figures["net"], figures["sales"], figures["change"], figures["trend"]) == (
        "$0.00",
        0,
        None,
        "flat",
    )
    move(factories.sale(cashier, (beans, 1)), at(WEEK_BEFORE, 8))
    figures = today_panel_figures()
    assert (figures["change"], figures["trend"], figures["change_abs"]) == (
        Decimal("-100.0"),
        "down",
        Decimal("100.0"),
    )


def test_low_stock_count_is_the_inventory_reports(noon):
    """One definition: active products at or below their threshold now (not the open alerts,
    which a threshold edit or a product put away can leave behind)."""
    factories.product("Filters", stock=3, threshold=5)  # low, though no alert was raised
    factories.product("Grinder", stock=5, threshold=5)  # at the threshold: low
    factories.product("Old blend", stock=0, threshold=5, active=False)  # not sold any more
    for name in ("Beans", "Mug", "Cups"):  # restocked by hand: stale open alerts
        LowStockAlert.objects.create(
            product=factories.product(name, stock=40, threshold=5), quantity=2, threshold=5
        )

    figures = today_panel_figures()

    report = inventory_report(ReportFilter(start=TUESDAY, end=TUESDAY, preset="today"))
    metric = next(m for m in report.metrics if m.label == "Low-stock products")
    assert figures["low_stock"] == metric.value == 2
    assert figures["low_stock_url"] == "/admin/reports/inventory/"
