"""Every report page and the exports over a seeded history (issue #8).

    python -m bench reports                      # 1,000,000 sale lines on SQLite
    BENCH_REPORT_LINES=200000 python -m bench reports
    DATABASE_URL=postgres://… python -m bench reports

The history is written by `seed_sales` (two years ending today, ~3 lines per sale). Each page
is requested through Django's test client as a manager, for the last 30 days, this year and
the whole two years; the query count must not change with the range.
"""

from __future__ import annotations

import os
import time

LINES = int(os.environ.get("BENCH_REPORT_LINES", "1000000"))
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "5"))
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
    for label, params in _ranges().items():
        for slug in PAGES:
            row = _measure(client, f"/admin/reports/{slug}/", params, RUNS)
            results[f"{slug} · {label}"] = row
            print(f"  {slug} · {label}: {row['median_ms']:.0f} ms, {row['queries']} queries")
    for kind in ("csv", "xlsx", "pdf"):
        for slug in ("sales-overview", "top-products", "sales-heat-map"):
            params = {"preset": "this_year", "export": kind}
            row = _measure(client, f"/admin/reports/{slug}/", params, max(2, RUNS // 2))
            results[f"{slug} · this year · {kind}"] = row
    common.report(
        "reports",
        results,
        sale_lines=SaleLine.objects.count(),
        sales=Sale.objects.count(),
        refunds=Refund.objects.count(),
        seed_seconds=round(seeded_s, 1),
    )
