"""Every report page and the exports over a seeded history (issue #8).

    python -m bench reports                      # 1,000,000 sale lines on SQLite
    BENCH_REPORT_LINES=200000 python -m bench reports
    DATABASE_URL=postgres://… python -m bench reports
    BENCH_REPORT_ONLY=filtered python -m bench reports   # only the filtered pages and exports

The history is seeded afresh in a throw-away database (bench.common), so the figures always
describe `LINES` lines. Besides each page unfiltered, each page is timed under each filter
(payment method, category, product, cashier, register) over the whole two years (some of them
are read from the sale lines, see analytics.selectors.summary_for), and every report's CSV,
XLSX and PDF.

The history is written by `seed_sales` (two years ending today, ~3 lines per sale). Each page
is requested through Django's test client as a manager, for the last 30 days, this year and
the whole two years; the query count must not change with the range.
"""

from __future__ import annotations

import os
import time

LINES = int(os.environ.get("BENCH_REPORT_LINES", "1000000"))
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "5"))
ONLY = os.environ.get("BENCH_REPORT_ONLY", "")  # "filtered": skip the unfiltered pages
PAGES = [
    "sales-overview",
    "top-products",
    "sales-by-category",
    "sales-by-cashier",
    "sales-by-register",
    "sales-by-payment-method",
    "sales-heat-map",
    "refunds",
    "inventory",
]


def _ranges() -> dict[str, dict]:
    from datetime import timedelta

    from analytics.filters import store_today

    today = store_today()
    two_years = {
        "preset": "custom",
        "start": (today - timedelta(days=729)).isoformat(),
        "end": today.isoformat(),
    }
    return {"30 days": {}, "this year": {"preset": "this_year"}, "2 years": two_years}


def _filters() -> dict[str, dict]:
    """A filter of each kind: card payments, and the busiest category, product, cashier and
    register of the seeded history."""
    from django.db.models import Count

    from pos.models import Sale, SaleLine

    product = (
        SaleLine.objects.values("product__sku", "product__category")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )

    def busiest(field: str):
        return Sale.objects.values(field).annotate(n=Count("id")).order_by("-n")[0][field]

    return {
        "payment method": {"payment_method": "card"},
        "category": {"category": product["product__category"]},
        "product": {"product": product["product__sku"]},
        "cashier": {"cashier": busiest("cashier")},
        "register": {"register": busiest("register")},
    }


def _measure(client, url: str, params: dict, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import common

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    row = common.timed(get, runs=runs, warmup=1)
    with CaptureQueriesContext(connection) as queries:
        get()
    row["queries"] = len(queries.captured_queries)
    return row


def _summarise_a_read() -> dict:
    """The most a report read writes: the summaries of DAYS_PER_READ closed days (the newest
    ones), deleted and written again in a transaction that is rolled back."""
    from datetime import timedelta

    from django.db import transaction

    from analytics import summary
    from analytics.models import DailyProductSales, HourlyCategorySales, HourlySales
    from bench import common

    until = summary.settled_until()
    first = until - timedelta(days=summary.DAYS_PER_READ)

    def once():
        with transaction.atomic():
            for model in (HourlySales, HourlyCategorySales, DailyProductSales):
                model.objects.filter(day__gte=first, day__lt=until).delete()
            summary.summarise_days(first, until)
            transaction.set_rollback(True)

    return common.timed(once, runs=3, warmup=0)


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from analytics.seeding import Seeder
    from bench import common
    from pos.models import Refund, Sale, SaleLine

    start = time.perf_counter()
    counts = Seeder(lines=LINES, days=730, products=400, seed=1).run()
    seeded_s = time.perf_counter() - start
    print(f"seeded {counts['SaleLine']:,} lines, {counts['Sale']:,} sales in {seeded_s:.0f} s")

    user = get_user_model().objects.create_superuser("bench-reports", "r@example.com", "x" * 12)
    client = Client()
    client.force_login(user)
    client.get("/admin/reports/sales-overview/")  # warm the caches (settings, templates)

    results = {}
    results["summarise the days of one read"] = row = _summarise_a_read()
    print(f"  summarise one read's days: median {row['median_ms']:.0f} ms")

    def measure(name: str, slug: str, params: dict, runs: int) -> None:
        row = _measure(client, f"/admin/reports/{slug}/", params, runs)
        results[name] = row
        print(
            f"  {name}: median {row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
            f"{row['queries']} queries"
        )

    ranges = _ranges()
    if ONLY != "filtered":
        for label, params in ranges.items():
            for slug in PAGES:
                measure(f"{slug} · {label}", slug, params, RUNS)
    for name, extra in _filters().items():
        for slug in PAGES:
            if slug == "inventory" and name == "payment method":
                continue  # the inventory has no payment-method filter
            measure(f"{slug} · 2 years · {name}", slug, {**ranges["2 years"], **extra}, RUNS)
    for kind in ("csv", "xlsx", "pdf"):
        for slug in PAGES:
            params = {"preset": "this_year", "export": kind}
            measure(f"{slug} · this year · {kind}", slug, params, max(2, RUNS // 2))
    common.report(
        "reports",
        results,
        sale_lines=SaleLine.objects.count(),
        sales=Sale.objects.count(),
        refunds=Refund.objects.count(),
        seed_seconds=round(seeded_s, 1),
    )
