"""Each report's figures against the hand-computed history of tests/reports_data.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics import selectors
from analytics.filters import ReportFilter, store_today
from analytics.reports import heat_map_report, inventory_report, overview_report
from pos.models import Payment
from tests.reports_data import DAY1, DAY2, DAY3, build_shop

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def shop(cashier, manager):
    return build_shop(cashier, manager)


def period(start=DAY1, end=DAY3, **filters) -> ReportFilter:
    return ReportFilter(start=start, end=end, preset="custom", **filters)


def test_overview_totals_to_the_cent(shop):
    totals = selectors.sales_totals(flt=period())
    assert totals.gross == D("52.00")
    assert totals.discounts == D("1.00")
    assert totals.paid == D("55.21")
    assert totals.sales_tax == D("4.21")
    assert totals.refunds == D("10.83")
    assert totals.refund_tax == D("0.83")
    assert totals.net == D("44.38")
    assert totals.tax == D("3.38")
    assert (totals.sales, totals.items, totals.refund_count) == (3, 7, 1)
    assert totals.average_basket == D("18.40")
    assert totals.items_per_basket == D("2.3")


def test_paid_equals_sale_totals(shop):
    """Line-level figures add up to the sales' own totals (nothing lost between the two)."""
    paid = sum((sale.total.amount for sale in shop["sales"]), D(0))
    assert selectors.sales_totals(flt=period()).paid == paid


def test_refund_counts_in_the_period_it_happens(shop):
    sales_days = selectors.sales_totals(flt=period(DAY1, DAY2))
    assert (sales_days.refunds, sales_days.net) == (D("0.00"), D("55.21"))
    refund_day = selectors.sales_totals(flt=period(DAY3, DAY3))
    assert (refund_day.sales, refund_day.paid, refund_day.refunds) == (0, D("0.00"), D("10.83"))
    assert refund_day.net == D("-10.83")
    assert refund_day.tax == D("-0.83")


def test_sale_at_half_past_eleven_local_lands_on_its_local_day(shop):
    assert selectors.sales_totals(flt=period(DAY2, DAY2)).paid == D("8.66")
    day_series = selectors.sales_series(flt=period(), bucket="day")
    assert [(b.start.date(), b.paid, b.refunds) for b in day_series] == [
        (DAY1, D("46.55"), D("0.00")),
        (DAY2, D("8.66"), D("0.00")),
        (DAY3, D("0.00"), D("10.83")),
    ]


def test_hourly_series_has_every_hour(shop):
    series = selectors.sales_series(flt=period(DAY1, DAY1), bucket="hour")
    assert len(series) == 24
    assert {b.start.hour: b.paid for b in series if b.paid} == {10: D("36.81"), 15: D("9.74")}


def test_weekly_and_monthly_buckets(shop):
    weeks = selectors.sales_series(flt=period(), bucket="week")
    assert [(w.start.date().isoformat(), w.net) for w in weeks] == [("2026-03-09", D("44.38"))]
    months = selectors.sales_series(flt=period(), bucket="month")
    assert [(m.start.date().isoformat(), m.net) for m in months] == [("2026-03-01", D("44.38"))]


def test_previous_period_comparison(shop):
    report = overview_report(period(DAY2, DAY3))
    net = next(m for m in report.metrics if m.label == "Net sales (tax incl.)")
    # Tue 10th vs Wed 11th–Thu 12th: the previous equal period is Mon 9th–Tue 10th.
    assert (net.value, net.previous) == (D("-2.17"), D("46.55"))
    assert net.change == D("-104.7") and net.trend == "down"


def test_top_products_with_margin(shop):
    rows = selectors.top_products(flt=period())
    beans, mug = rows
    assert (beans.name, beans.quantity, beans.paid) == ("Beans", 4, D("42.22"))
    assert beans.revenue == D("39.00")  # 30.00 + 9.00 before tax
    assert (beans.cost, beans.margin, beans.margin_percent) == (D("24.00"), D("15.00"), D("38.5"))
    assert (mug.quantity, mug.paid, mug.revenue, mug.cost, mug.margin) == (
        3,
        D("12.99"),
        D("12.00"),
        None,
        None,
    )
    by_quantity = selectors.top_products(flt=period(DAY2, DAY2), order="quantity")
    assert [(r.name, r.quantity) for r in by_quantity] == [("Mug", 2)]


def test_sales_by_category_cashier_register(shop, cashier, manager):
    categories = {r.label: (r.sales, r.paid, r.refunds, r.net) for r in _by("category")}
    assert categories == {
        "Coffee": (2, D("42.22"), D("10.83"), D("31.39")),
        "Cups": (2, D("12.99"), D("0.00"), D("12.99")),
    }
    cashiers = {r.label: (r.sales, r.paid, r.refunds) for r in _by("cashier")}
    # The refund was given by the manager: it counts against them, not against the seller.
    assert cashiers == {
        "casey": (2, D("45.47"), D("0.00")),
        "max": (1, D("9.74"), D("10.83")),
    }
    registers = {r.label: (r.sales, r.paid) for r in _by("register")}
    assert registers["Till 2"] == (1, D("9.74"))


def _by(dimension):
    return selectors.sales_by(flt=period(), dimension=dimension)


def test_sales_by_payment_method(shop):
    rows = {
        r.key: (r.sales, r.paid, r.refunds) for r in selectors.sales_by_payment_method(flt=period())
    }
    # The refund of S1 (paid in cash) went back in cash.
    assert rows == {
        "cash": (1, D("36.81"), D("10.83")),
        "card": (2, D("18.40"), D("0.00")),
    }


def test_heat_map_cells_in_local_time(shop):
    cells = {(c.weekday, c.hour): c.paid for c in selectors.sales_heat_map(flt=period())}
    assert cells == {(2, 10): D("36.81"), (2, 15): D("9.74"), (3, 23): D("8.66")}
    table = heat_map_report(period()).tables[0]
    assert table.rows[1][0] == "Tuesday" and table.rows[1][-1] == D("46.55")
    assert [c.label for c in table.columns[1:4]] == ["10", "11", "12"]  # opening hours only
    assert table.levels[1][1] == 5  # Tuesday 10:00 is the peak


def test_refunds_by_reason_and_list(shop, manager):
    reasons = selectors.refunds_by_reason(flt=period())
    assert [(r.kind, r.reason, r.approver, r.count, r.amount) for r in reasons] == [
        ("Refund", "Damaged", "max", 1, D("10.83"))
    ]
    assert [r.number for r in selectors.refunds_in_period(flt=period(DAY1, DAY2))] == []


def test_filters_narrow_every_figure(shop, cashier):
    beans, mug = shop["beans"], shop["mug"]
    assert selectors.sales_totals(flt=period(product=beans)).paid == D("42.22")
    assert selectors.sales_totals(flt=period(product=mug)).refunds == D("0.00")
    assert selectors.sales_totals(flt=period(category=mug.category)).paid == D("12.99")
    assert selectors.sales_totals(flt=period(cashier=cashier)).paid == D("45.47")
    assert selectors.sales_totals(flt=period(register=shop["till2"])).paid == D("9.74")
    card = selectors.sales_totals(flt=period(payment_method=Payment.Method.CARD))
    assert (card.sales, card.paid, card.refunds) == (2, D("18.40"), D("0.00"))
    cash = selectors.sales_totals(flt=period(payment_method=Payment.Method.CASH))
    assert (cash.sales, cash.paid, cash.refunds) == (1, D("36.81"), D("10.83"))


def test_empty_range(shop):
    totals = selectors.sales_totals(flt=period(DAY3.replace(day=20), DAY3.replace(day=21)))
    assert (totals.sales, totals.paid, totals.net, totals.average_basket) == (0, 0, 0, 0)
    assert selectors.top_products(flt=period(DAY3, DAY3)) == []
    report = overview_report(period(DAY3.replace(day=20), DAY3.replace(day=21)))
    assert all(m.change is None for m in report.metrics)


def test_inventory_values(shop):
    report = inventory_report(period())
    values = {m.label: m.value for m in report.metrics}
    # Beans: 50 − 4 sold + 1 refunded = 47 × 6.00 cost, × 10.00 price; Mugs: 47 × 4.00.
    assert values["Stock value at cost"] == D("282.00")
    assert values["Stock value at price"] == D("658.00")
    assert values["Units in stock"] == 94
    assert report.tables[2].rows == []  # the movements were made today, not in March
    today = store_today()
    movements = inventory_report(ReportFilter(start=today, end=today)).tables[2].rows
    assert {row[2] for row in movements} >= {"Sale", "Refund"}
    beans_only = inventory_report(ReportFilter(start=today, end=today, product=shop["mug"]))
    assert {row[1] for row in beans_only.tables[2].rows} == {"Mug"}


def test_not_sold_recently(shop):
    flt = ReportFilter(start=DAY1, end=DAY3, days_unsold=30)
    names = [p.name for p in selectors.not_sold_since(flt=flt, days=30)]
    assert names == ["Beans", "Mug"]  # the history is from March: nothing sold in 30 days
    last = {p.name: p.last_sold for p in selectors.not_sold_since(flt=flt, days=30)}
    assert last == {"Beans": DAY1, "Mug": DAY2}  # Mug's 23:30 sale is on its local day
    assert selectors.not_sold_since(flt=flt, days=400).count() == 0


def test_not_sold_recently_without_summaries(shop, monkeypatch):
    from analytics import summary

    monkeypatch.setattr(summary, "summarised_until", lambda: None)
    flt = ReportFilter(start=DAY1, end=DAY3, days_unsold=30)
    last = {p.name: p.last_sold for p in selectors.not_sold_since(flt=flt, days=30)}
    assert last == {"Beans": DAY1, "Mug": DAY2}
    assert selectors.not_sold_since(flt=flt, days=400).count() == 0
