"""The closed-day summaries give exactly the figures of the raw sale lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum

from analytics import selectors, summary
from analytics.filters import ReportFilter, store_today
from analytics.models import DailyProductSales, HourlyCategorySales, HourlySales, SummaryState
from analytics.reports import REPORTS
from pos.models import Sale
from tests import factories
from tests.reports_data import DAY1, DAY2, DAY3, at, build_shop, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def shop(cashier, manager):
    data = build_shop(cashier, manager)
    # and one sale today, read live (by card, so every filter of the query-count test matches
    # something both in a short and in a long period)
    factories.sale(cashier, (data["beans"], 2), (data["mug"], 1), payments=[("card", "25.98")])
    return data


def figures(flt: ReportFilter) -> dict:
    return {
        "totals": selectors.sales_totals(flt=flt),
        **{
            f"series-{b}": selectors.sales_series(flt=flt, bucket=b)
            for b in ("hour", "day", "week", "month")
            if b != "hour" or flt.days <= 3
        },
        "top-revenue": selectors.top_products(flt=flt),
        "top-quantity": selectors.top_products(flt=flt, order="quantity", limit=1),
        **{
            d: selectors.sales_by(flt=flt, dimension=d) for d in ("category", "cashier", "register")
        },
        "payments": selectors.sales_by_payment_method(flt=flt),
        "heat": selectors.sales_heat_map(flt=flt),
    }


def periods(shop, cashier) -> list[ReportFilter]:
    today = store_today()
    return [
        ReportFilter(start=DAY1, end=today, preset="custom"),
        ReportFilter(start=DAY1, end=DAY3, preset="custom"),
        ReportFilter(start=DAY2, end=DAY2, preset="custom"),
        ReportFilter(start=today, end=today, preset="today"),
        ReportFilter(start=DAY1, end=today, preset="custom", cashier=cashier),
        ReportFilter(start=DAY1, end=today, preset="custom", register=shop["till2"]),
        ReportFilter(start=DAY1, end=today, preset="custom", product=shop["mug"]),
        ReportFilter(start=DAY1, end=today, preset="custom", category=shop["beans"].category),
    ]


@pytest.fixture
def mixed_shop(shop, cashier, manager):
    """The shop, plus closed-day sales paid by several methods at once and holding several
    categories (two lines of one category, a product without one): what the tenders and
    category summaries must get right."""
    filters = factories.product("Filters", "2.00", stock=50)  # Coffee, like the beans
    bag = factories.product("Bag", "1.00", stock=50)
    bag.category = None
    bag.save()
    split = factories.sale(
        cashier,
        (shop["beans"], 1),
        (filters, 2),
        (shop["mug"], 1),
        (bag, 1),
        payments=[("cash", "5.00"), ("card", None)],
    )
    other = factories.sale(manager, (filters, 1), (bag, 2), payments=[("other", None)])
    three = factories.sale(
        cashier, (shop["mug"], 3), payments=[("cash", "1.00"), ("other", "2.00"), ("card", None)]
    )
    move(split, at(DAY2, 11, 5))
    move(other, at(DAY2, 11, 40))
    move(three, at(DAY3, 18))
    return {**shop, "filters": filters, "bag": bag}


def mixed_periods(shop, cashier) -> list[ReportFilter]:
    whole = {"start": DAY1, "end": store_today(), "preset": "custom"}
    coffee = shop["beans"].category
    return [
        *periods(shop, cashier),
        *(ReportFilter(**whole, payment_method=m) for m in ("cash", "card", "other")),
        ReportFilter(**whole, category=coffee, payment_method="card"),
        ReportFilter(**whole, category=shop["mug"].category, cashier=cashier),
        ReportFilter(**whole, category=coffee, register=shop["till2"]),
        ReportFilter(**whole, product=shop["filters"], payment_method="other"),
        ReportFilter(**whole, cashier=cashier, payment_method="cash"),
        ReportFilter(start=DAY2, end=DAY3, preset="custom", payment_method="card"),
    ]


def test_every_report_equals_the_raw_aggregate(mixed_shop, cashier, monkeypatch):
    summarised = [figures(flt) for flt in mixed_periods(mixed_shop, cashier)]
    assert HourlySales.objects.filter(tenders=1 | 2).exists()  # the split sale: cash + card
    assert HourlyCategorySales.objects.filter(category=None).exists()
    assert DailyProductSales.objects.filter(tenders=1 | 2 | 4).exists()
    monkeypatch.setattr(selectors, "summary_for", lambda flt, by=(): None)
    raw = [figures(flt) for flt in mixed_periods(mixed_shop, cashier)]
    for flt, one, other in zip(mixed_periods(mixed_shop, cashier), summarised, raw, strict=True):
        assert one == other, flt.describe()


def test_category_summary_counts_each_sale_once_with_its_whole_payments(mixed_shop):
    """The split sale holds beans and filters (Coffee): one sale, and its whole cash and card
    payments, in the Coffee row; its lines are counted apart."""
    summary.rebuild()
    coffee = mixed_shop["beans"].category
    row = HourlyCategorySales.objects.get(day=DAY2, hour=11, category=coffee, tenders=1 | 2)
    sale = Sale.objects.get(lines__product=mixed_shop["beans"], created_at__date=DAY2)
    assert (row.sales, row.lines, row.items, row.tenders) == (1, 2, 3, 1 | 2)
    assert (row.cash, row.card, row.other) == (selectors.cents("5.00"), sale.total.amount - 5, 0)
    assert (row.cash_sales, row.card_sales, row.other_sales) == (1, 1, 0)


def test_today_is_read_live(shop, cashier):
    today = store_today()
    before = selectors.sales_totals(flt=ReportFilter(start=DAY1, end=today, preset="custom"))
    factories.sale(cashier, (shop["mug"], 1))
    after = selectors.sales_totals(flt=ReportFilter(start=DAY1, end=today, preset="custom"))
    assert (after.sales, after.paid - before.paid) == (
        before.sales + 1,
        shop["mug"].price.amount
        + selectors.cents(shop["mug"].price.amount * shop["mug"].tax_rate.rate / 100),
    )
    assert not HourlySales.objects.filter(day=today).exists()


def test_summaries_hold_closed_days_only(shop):
    selectors.sales_totals(flt=ReportFilter(start=DAY1, end=DAY3, preset="custom"))
    assert SummaryState.objects.get().complete_until == DAY1 + timedelta(days=summary.DAYS_PER_READ)
    summary.rebuild()
    assert (
        SummaryState.objects.get().complete_until == summary.settled_until()
    )  # 00:00–01:00: yesterday
    hourly = HourlySales.objects.aggregate(paid=Sum("paid"), sales=Sum("sales"))
    assert (hourly["sales"], hourly["paid"]) == (3, selectors.cents("55.21"))
    assert DailyProductSales.objects.filter(day=DAY1).count() == 3  # beans: cash and card


def test_catch_up_writes_the_days_that_closed(shop):
    selectors.sales_totals(flt=ReportFilter(start=DAY1, end=DAY3, preset="custom"))
    for model in (HourlySales, HourlyCategorySales, DailyProductSales):
        model.objects.filter(day__gte=DAY2).delete()
    SummaryState.objects.update(complete_until=DAY2)  # as if the report was last read on DAY2
    totals = selectors.sales_totals(flt=ReportFilter(start=DAY1, end=DAY3, preset="custom"))
    assert totals.paid == selectors.cents("55.21")
    assert HourlySales.objects.filter(day=DAY2).count() == 1


def test_time_zone_change_rebuilds(shop, settings):
    flt = ReportFilter(start=DAY2, end=DAY2, preset="custom")
    assert selectors.sales_totals(flt=flt).paid == selectors.cents("8.66")  # 23:30 in New York
    settings.TIME_ZONE = "UTC"  # 03:30 on DAY3 in UTC
    assert selectors.sales_totals(flt=flt).paid == selectors.cents("0")
    assert SummaryState.objects.get().time_zone == "UTC"


def test_rebuild_command(shop, capsys):
    call_command("rebuild_sales_summaries")
    assert (
        "Summaries rebuilt: 3 hourly rows, 4 category-hour rows, 4 product-day rows"
        in capsys.readouterr().out
    )
    assert SummaryState.objects.count() == 1


def _filters(shop, cashier) -> dict[str, dict]:
    return {
        "none": {},
        "payment method": {"payment_method": "card"},
        "category": {"category": shop["beans"].category_id},
        "product": {"product": shop["mug"].sku},
        "cashier": {"cashier": cashier.pk},
    }


@pytest.mark.parametrize("slug", list(REPORTS))
def test_report_queries_do_not_grow_with_the_range(shop, cashier, manager_client, slug):
    """Every report, unfiltered and under each kind of filter: as many queries for a few days
    as for years, on closed days only and on periods ending today (read live too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = store_today()
    summary.rebuild()

    def count(start, end, extra: dict) -> int:
        params = {"preset": "custom", "start": start.isoformat(), "end": end.isoformat(), **extra}
        url = f"/admin/reports/{slug}/"
        manager_client.get(url, params)  # summaries caught up
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(url, params)
        assert response.status_code == 200
        assert "errors" not in response.context or not response.context["errors"], extra
        return len(queries.captured_queries)

    for name, extra in _filters(shop, cashier).items():
        short, long = (
            count(DAY1, DAY3, extra),
            count(DAY1.replace(month=1, day=1), DAY3.replace(day=31), extra),
        )
        assert short == long, (name, short, long)
        short, long = (
            count(today - timedelta(days=29), today, extra),
            count(today - timedelta(days=900), today, extra),
        )
        assert short == long, (name, short, long)


def test_a_long_history_is_summarised_a_few_days_per_read(shop, monkeypatch):
    monkeypatch.setattr(summary, "DAYS_PER_READ", 1)
    flt = ReportFilter(start=DAY1, end=DAY3, preset="custom")
    assert selectors.sales_totals(flt=flt).paid == selectors.cents("55.21")
    assert SummaryState.objects.get().complete_until == DAY2  # only DAY1 summarised
    assert selectors.sales_totals(flt=flt).paid == selectors.cents("55.21")
    assert SummaryState.objects.get().complete_until == DAY3
    assert HourlySales.objects.filter(day=DAY2).exists()


def test_a_day_is_summarised_only_once_it_ended_more_than_the_margin_ago(
    shop, cashier, monkeypatch
):
    """A sale stamped 23:59 but committed after midnight is never left out of the summaries."""
    from django.utils import timezone

    from tests.reports_data import at, move

    night = DAY3 + timedelta(days=8)
    yesterday = night - timedelta(days=1)
    monkeypatch.setattr(summary, "DAYS_PER_READ", 31)  # the whole history in one read
    monkeypatch.setattr(timezone, "now", lambda: at(night, 0, 30))  # 30 min after midnight
    flt = ReportFilter(start=yesterday, end=yesterday, preset="custom")
    assert selectors.sales_totals(flt=flt).sales == 0  # the first read of the new day
    assert SummaryState.objects.get().complete_until == yesterday  # yesterday not summarised
    late = factories.sale(cashier, (shop["mug"], 1))  # committed now, stamped before midnight
    move(late, at(yesterday, 23, 59))
    assert selectors.sales_totals(flt=flt).sales == 1

    monkeypatch.setattr(timezone, "now", lambda: at(night, 1, 0) + timedelta(seconds=1))
    assert selectors.sales_totals(flt=flt).sales == 1
    assert SummaryState.objects.get().complete_until == night  # now summarised, sale included
    assert HourlySales.objects.get(day=yesterday).sales == 1


def test_a_short_period_is_read_from_its_sales_whatever_the_filter(shop, cashier):
    """SQLite keeps no planner statistics: for the live part of a report it walked every line
    of the filtered category or product (or every sale of the cashier) to find today's."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    today = store_today()
    for extra in (
        {"category": shop["beans"].category},
        {"product": shop["mug"]},
        {"cashier": cashier},
        {"register": shop["till2"]},
    ):
        flt = ReportFilter(start=today, end=today, preset="today", **extra)
        plan = selectors.sale_lines(flt=flt).explain()
        assert "INDEX pos_sale_created_at" in plan.splitlines()[0], (
            extra,
            plan,
        )
