"""seed_sales writes a history that keeps the checkout's invariants, and the reports read it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum

from analytics import selectors
from analytics.filters import ReportFilter, store_today
from analytics.selectors import cents
from pos.inventory import ledger_mismatches
from pos.models import Payment, Refund, RefundLine, RefundPayment, Sale, SaleLine, SaleTax

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command(
        "seed_sales", lines=3000, days=60, products=40, seed=7, stdout=open("/dev/null", "w")
    )


def test_exact_number_of_lines_and_invariants(seeded):
    assert SaleLine.objects.count() == 3000
    assert ledger_mismatches() == []
    for sale in Sale.objects.annotate(
        lines_total=Sum("lines__total"),
        lines_tax=Sum("lines__tax"),
        lines_gross=Sum("lines__gross"),
    ).iterator():
        assert sale.lines_gross == sale.subtotal.amount
        assert sale.lines_tax == sale.tax_total.amount
        tax = Decimal(0) if sale.prices_include_tax else sale.tax_total.amount
        assert sale.total.amount == sale.subtotal.amount - sale.discount_total.amount + tax
        assert sale.lines_total + tax == sale.total.amount
    # SQLite sums decimals as floats: compare to the cent, as the reports do.
    taxes = cents(SaleTax.objects.aggregate(t=Sum("tax"))["t"])
    assert taxes == cents(Sale.objects.aggregate(t=Sum("tax_total"))["t"])
    paid = Payment.objects.values("sale").annotate(s=Sum("amount")).filter(s=F("sale__amount_paid"))
    assert paid.count() == Sale.objects.count()


def test_refunds_and_voids_are_consistent(seeded):
    assert Refund.objects.exists()
    for refund in Refund.objects.annotate(back=Sum("lines__amount")):
        assert refund.back == refund.total.amount
        assert refund.created_at >= refund.sale.created_at
    assert (
        RefundPayment.objects.aggregate(s=Sum("amount"))["s"]
        == Refund.objects.aggregate(s=Sum("total"))["s"]
    )
    over = (
        RefundLine.objects.values("sale_line")
        .annotate(q=Sum("quantity"))
        .filter(q__gt=F("sale_line__quantity"))
    )
    assert not over.exists()
    voided = Sale.objects.filter(status=Sale.Status.VOIDED)
    assert set(voided.values_list("pk", flat=True)) == set(
        Refund.objects.filter(kind="void").values_list("sale_id", flat=True)
    )
    assert not Sale.objects.annotate(n=Count("refunds")).filter(status="voided", n__gt=1).exists()


def test_reports_equal_raw_sums_over_the_seeded_history(seeded):
    today = store_today()
    flt = ReportFilter(start=today - timedelta(days=59), end=today, preset="custom")
    totals = selectors.sales_totals(flt=flt)
    assert totals.paid == sum((s.total.amount for s in Sale.objects.all()), Decimal(0))
    assert totals.refunds == sum((r.total.amount for r in Refund.objects.all()), Decimal(0))
    assert totals.sales == Sale.objects.count()
    series = selectors.sales_series(flt=flt, bucket="week")
    assert sum((b.net for b in series), Decimal(0)) == totals.net


def test_low_stock_alerts_match_the_stock(seeded):
    from catalog.models import Product
    from pos.models import LowStockAlert

    low = set(
        Product.objects.filter(quantity_on_hand__lte=F("low_stock_threshold")).values_list(
            "pk", flat=True
        )
    )
    alerted = set(
        LowStockAlert.objects.filter(cleared_at__isnull=True).values_list("product_id", flat=True)
    )
    assert alerted == low


def test_the_planner_learns_the_new_table_sizes_on_postgresql(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call_command(
            "seed_sales", lines=200, days=5, products=10, seed=3, stdout=open("/dev/null", "w")
        )  # noqa: E501, SIM115, PTH123
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"] == "ANALYZE"]
    assert len(analyzed) == (2 if connection.vendor == "postgresql" else 0)
